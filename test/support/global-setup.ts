import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway server; each test file creates its own database on it. */
    serverUrl: string;
    /** Prefix of every database this run creates, so teardown can find strays. */
    databasePrefix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  const prefix = `fsdb_t${process.pid}_`;
  console.log(`[foodsave-db tests] PostgreSQL: ${server.description}`);
  project.provide('serverUrl', server.url);
  project.provide('databasePrefix', prefix);
  return async () => {
    try {
      // Databases a crashed file left behind. Only matters on a server that outlives the run.
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [prefix],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await client.end();
    } finally {
      await server.stop();
    }
  };
}
