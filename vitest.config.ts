import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine (CI's). These
    // files spend much of their time waiting on PostgreSQL, PgBouncer and child processes, so a second
    // worker uses the idle core: a pass on 2 cores took 276 s instead of 441 s. Each file has its own
    // database and its own servers' ports, so files do not see each other.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
