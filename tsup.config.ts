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
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // import.meta.url in the CJS build (used to resolve the optional prom-client peer).
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
