import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startPgBouncer, type PgBouncer } from './pgbouncer.js';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway server; each test file creates its own database on it. */
    serverUrl: string;
    /** Prefix of every database this run creates, so teardown can find strays. */
    databasePrefix: string;
    /** `server_version_num` of that server, e.g. 180004 (major = Math.floor(n / 10000)). */
    serverVersionNum: number;
    /**
     * The server URL the tests' engines connect through: PgBouncer's when `TEST_VIA_PGBOUNCER` is
     * `transaction` or `session`, else the server's own.
     */
    engineServerUrl: string;
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
  const via = process.env.TEST_VIA_PGBOUNCER;
  let bouncer: PgBouncer | undefined;
  if (via === 'transaction' || via === 'session') {
    bouncer = await startPgBouncer({ serverUrl: server.url, poolMode: via, defaultPoolSize: 40, maxClientConn: 1000 });
    console.log(`[foodsave-db tests] every test database is reached through PgBouncer ${bouncer.version} in ${via} mode`);
  } else if (via) {
    await server.stop();
    throw new Error(`TEST_VIA_PGBOUNCER=${via}: expected transaction or session`);
  }
  project.provide('engineServerUrl', bouncer ? bouncer.url('postgres') : server.url);
  return async () => {
    await bouncer?.stop();
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
