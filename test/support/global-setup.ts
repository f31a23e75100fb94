import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway server; each test file creates its own database on it. */
    serverUrl: string;
    /** Prefix of every database this run creates, so teardown can find strays. */
    databasePrefix: string;
    /** `server_version_num` of that server, e.g. 180004 (major = Math.floor(n / 10000)). */
    serverVersionNum: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  const prefix = `fsdb_t${process.pid}_`;
  let version: { version: string; num: number };
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; num: string }>(
        "SELECT version() AS version, current_setting('server_version_num') AS num",
      );
      version = { version: rows[0]!.version, num: Number(rows[0]!.num) };
    } finally {
      await client.end();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  console.log(`[foodsave-db tests] PostgreSQL: ${server.description}`);
  console.log(`[foodsave-db tests] server version: ${version.version}`);
  project.provide('serverUrl', server.url);
  project.provide('databasePrefix', prefix);
  project.provide('serverVersionNum', version.num);
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
