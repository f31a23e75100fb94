import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  // Peer and runtime dependencies stay external so the host's single copy of Sequelize is used.
  external: ['sequelize', 'pg', 'pg-hstore', 'umzug', 'zod', 'prom-client', '@opentelemetry/api'],
});
