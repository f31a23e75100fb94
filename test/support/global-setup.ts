import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPgBouncer, type PgBouncer } from './pgbouncer.js';
import { startPostgres } from './postgres-server.js';
import { checkShiftedClock } from './shifted-clock.js';
import { withClient } from './with-client.js';

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
     * `transaction` or `session` (Debian 12's 1.18, or 1.22+ with `TEST_PGBOUNCER_RELEASE=tracking`),
     * else the server's own.
     */
    engineServerUrl: string;
    /**
     * The roles the repository suites run as, or null when the server would not create them (the
     * reason is printed): `owner` owns each test database and runs the migrations; `app` has data
     * privileges only, is not the owner and has no BYPASSRLS, so row-level security applies to it.
     */
    testRoles: TestRoles | null;
  }
}

/** A login role of the test server. */
export interface TestRole {
  user: string;
  password: string;
}

export interface TestRoles {
  owner: TestRole;
  app: TestRole;
}

/**
 * Creates (or re-keys) the owner and application roles. Role names are fixed, as roles are cluster-wide
 * and a server given through TEST_DATABASE_URL outlives the run; passwords are new each run.
 */
async function createTestRoles(serverUrl: string): Promise<TestRoles | string> {
  const roles: TestRoles = {
    owner: { user: 'fsdb_test_owner', password: randomBytes(12).toString('hex') },
    app: { user: 'fsdb_test_app', password: randomBytes(12).toString('hex') },
  };
  try {
    return await withClient(serverUrl, async (client) => {
      for (const role of [roles.owner, roles.app]) {
        const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.user])).rowCount;
        const verb = exists ? 'ALTER' : 'CREATE';
        await client.query(`${verb} ROLE ${role.user} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD ${pg.escapeLiteral(role.password)}`);
      }
      return roles;
    });
  } catch (error) {
    return (error as Error).message;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  const prefix = `fsdb_t${process.pid}_`;
  let version: { version: string; num: number };
  let clock: string | undefined;
  try {
    version = await serverVersion(server.url);
    clock = await checkShiftedClock(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  console.log(`[foodsave-db tests] PostgreSQL: ${server.description}`);
  console.log(`[foodsave-db tests] server version: ${version.version}`);
  if (clock) console.log(clock);
  project.provide('serverUrl', server.url);
  project.provide('databasePrefix', prefix);
  project.provide('serverVersionNum', version.num);
  const roles = await createTestRoles(server.url);
  if (typeof roles === 'string' && process.env.FOODSAVE_TEST_REQUIRE_COMPONENTS === '1') {
    await server.stop();
    throw new Error(`the least-privilege test roles are required here (FOODSAVE_TEST_REQUIRE_COMPONENTS=1) but could not be created: ${roles}`);
  }
  if (typeof roles === 'string') {
    console.log(`[foodsave-db tests] repository suites run as the server's own user, not a least-privilege role: cannot create roles (${roles})`);
  } else {
    console.log(
      `[foodsave-db tests] repository suites run the library as ${roles.app.user} (data privileges only, not the owner, no BYPASSRLS); migrations as ${roles.owner.user}`,
    );
  }
  project.provide('testRoles', typeof roles === 'string' ? null : roles);
  const via = process.env.TEST_VIA_PGBOUNCER;
  let bouncer: PgBouncer | undefined;
  const release = process.env.TEST_PGBOUNCER_RELEASE ?? 'debian';
  if (release !== 'debian' && release !== 'tracking') {
    await server.stop();
    throw new Error(`TEST_PGBOUNCER_RELEASE=${release}: expected debian or tracking`);
  }
  if (via === 'transaction' || via === 'session') {
    bouncer = await startPgBouncer({
      release,
      serverUrl: server.url,
      poolMode: via,
      defaultPoolSize: 40,
      maxClientConn: 1000,
      extraUsers: typeof roles === 'string' ? [] : [roles.owner, roles.app],
    });
    const named = process.env.TEST_DATABASE_PREPARED_STATEMENTS;
    const prepared = named ? `, DATABASE_PREPARED_STATEMENTS=${named}` : '';
    console.log(`[foodsave-db tests] every test database is reached through PgBouncer ${bouncer.version} in ${via} mode${prepared}`);
  } else if (via) {
    await server.stop();
    throw new Error(`TEST_VIA_PGBOUNCER=${via}: expected transaction or session`);
  }
  project.provide('engineServerUrl', bouncer ? bouncer.url('postgres') : server.url);
  return async () => {
    await bouncer?.stop();
    try {
      await dropLeftovers(server.url, prefix);
    } finally {
      await server.stop();
    }
  };
}

async function serverVersion(url: string): Promise<{ version: string; num: number }> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ version: string; num: string }>("SELECT version() AS version, current_setting('server_version_num') AS num"),
  );
  return { version: rows[0]!.version, num: Number(rows[0]!.num) };
}

/** Databases a crashed file left behind. Only matters on a server that outlives the run. */
async function dropLeftovers(url: string, prefix: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

