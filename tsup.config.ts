import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// Peer and runtime dependencies stay external, so the host's single copy of Sequelize is used.
const external = ['sequelize', 'pg', 'pg-hstore', 'umzug', 'zod', 'prom-client', '@opentelemetry/api', '@opentelemetry/sdk-metrics'];

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      models: 'src/entries/models.ts',
      ops: 'src/entries/ops.ts',
      migrations: 'src/entries/migrations.ts',
      schemas: 'src/entries/schemas.ts',
      // The only entry points that name optional peers (their types, and prom-client at run time).
      prometheus: 'src/entries/prometheus.ts',
      opentelemetry: 'src/entries/opentelemetry.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // Would shim import.meta.url in the CJS build; the library uses none (optional peers are imported
    // statically by their own entry points), and test/package.test.ts checks that host bundles see none.
    shims: true,
    target: 'node20',
    external,
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    define: { __VERSION__: JSON.stringify(version) },
    sourcemap: true,
    target: 'node20',
    external,
  },
]);
