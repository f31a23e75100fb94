import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createEngine, runMigrations, type Engine, type EngineOptions } from '../../src/index.js';
import { withClient } from './with-client.js';

/**
 * The schema the run puts the library in (`TEST_DATABASE_SCHEMA`, default `public`). In the own-schema
 * pass each test database also holds a host's own `public.users`, which the library must never touch.
 */
export const testSchema = process.env.TEST_DATABASE_SCHEMA ?? 'public';

/**
 * The environment the tests give their engines: the run's schema and, in the pass behind PgBouncer 1.22+,
 * `DATABASE_PREPARED_STATEMENTS` (`TEST_DATABASE_PREPARED_STATEMENTS`); nothing else from the process.
 */
export const testEnv: Record<string, string> = {
  ...(testSchema === 'public' ? {} : { DATABASE_SCHEMA: testSchema }),
  ...(process.env.TEST_DATABASE_PREPARED_STATEMENTS ? { DATABASE_PREPARED_STATEMENTS: process.env.TEST_DATABASE_PREPARED_STATEMENTS } : {}),
};

/** `"schema"."table"` for the run's schema, for the tests' own SQL. */
export function tbl(table: string): string {
  return `${pg.escapeIdentifier(testSchema)}.${pg.escapeIdentifier(table)}`;
}

/**
 * A URL for the tests' own direct connections that finds the library's tables without a schema, as a
 * host's psql session would. Never used for the engine under test, whose statements must name the schema.
 */
export function rawUrl(url: string): string {
  if (testSchema === 'public') return url;
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${testSchema},public`);
  return u.toString();
}

/**
 * Runs the tests' own SQL (seeding, checks) on a connection of its own that finds the library's tables
 * without a schema ({@link rawUrl}), and returns the rows.
 */
export async function rawQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  return withRawClient(url, async (client) => (await client.query<R>(text, values)).rows);
}

/** Runs `work` on a connection of its own to `url` (finding the tables as {@link rawUrl} does), then closes it. */
export function withRawClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(rawUrl(url), work);
}

/** The host's own table that the own-schema pass puts next to the library's. */
const HOST_TABLE = 'CREATE TABLE public.users (id serial PRIMARY KEY, login text NOT NULL UNIQUE); INSERT INTO public.users (login) VALUES (\'host\')';

/** A database of its own for one test file, on the run's throwaway server. */
export interface TestDatabase {
  name: string;
  /** The URL the tests use: through PgBouncer when the run is (`TEST_VIA_PGBOUNCER`). */
  url: string;
  /** The server's own URL for this database, never through a pooler. */
  directUrl: string;
  /**
   * The URL the repository suites' engines use: `url` as the least-privilege application role (data
   * privileges only, not the owner, no BYPASSRLS), or `url` itself when the server gave no roles.
   */
  appUrl: string;
  /** The database owner's direct URL, which runs the migrations; `directUrl` when there are no roles. */
  migrationUrl: string;
  drop(): Promise<void>;
}

/** `url` logging in as `role`. */
export function asRole(url: string, role: { user: string; password: string }): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role.user);
  u.password = encodeURIComponent(role.password);
  return u.toString();
}

/**
 * What the application role may do in a test database, as the README's least-privilege SQL grants it:
 * data privileges on whatever the owner creates, nothing else.
 */
function appGrants(owner: string, app: string): string {
  return [
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} GRANT USAGE ON SCHEMAS TO ${app}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
    `GRANT USAGE ON SCHEMA public TO ${app}`,
  ].join(';\n');
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return withClient(inject('serverUrl'), (client) => client.query<R>(sql, params));
}

async function queryDatabase(url: string, text: string): Promise<void> {
  await withClient(url, (client) => client.query(text));
}

/**
 * A fresh, empty database. In the own-schema pass it holds the host's `public.users` unless
 * `hostTable` is false. The test roles' owner owns it, and the application role may use what the owner
 * creates, unless `roles` is false.
 */
export async function createTestDatabase(label = 'db', options: { hostTable?: boolean; roles?: boolean } = {}): Promise<TestDatabase> {
  const name = `${inject('databasePrefix')}${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  // `roles: false` for a database whose owner the test sets itself: no grants naming the test roles.
  const roles = options.roles === false ? null : inject('testRoles');
  await adminQuery(`CREATE DATABASE "${name}"${roles ? ` OWNER ${roles.owner.user}` : ''}`);
  const directUrl = withDatabase(inject('serverUrl'), name);
  if (roles) await queryDatabase(directUrl, appGrants(roles.owner.user, roles.app.user));
  if (testSchema !== 'public' && options.hostTable !== false) await queryDatabase(directUrl, HOST_TABLE);
  const url = withDatabase(inject('engineServerUrl'), name);
  return {
    name,
    url,
    directUrl,
    appUrl: roles ? asRole(url, roles.app) : url,
    migrationUrl: roles ? asRole(directUrl, roles.owner) : directUrl,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * Registers hooks that give the file a fresh database (and, with `migrate`, a migrated engine on it),
 * dropped after the file. Read the fields inside tests, not at import time.
 */
export function useTestDatabase(
  options: {
    label?: string;
    migrate?: boolean;
    engine?: Omit<EngineOptions, 'url'>;
    /**
     * Whom the engine logs in as: `app`, the least-privilege role held to row-level security (the
     * default, for everything that goes through the library's scopes), or `server`, the server's own
     * superuser, for tests of the Sequelize models themselves, which row-level security would hide.
     */
    role?: 'app' | 'server';
  } = {},
) {
  const state: { db?: TestDatabase; engine?: Engine } = {};
  beforeAll(async () => {
    state.db = await createTestDatabase(options.label);
    // The library runs as the application role, held to row-level security; the owner migrates.
    state.engine = createEngine({
      env: testEnv,
      poolSize: 2,
      maxOverflow: 8,
      schema: testSchema,
      migrationUrl: state.db.migrationUrl,
      ...options.engine,
      url: options.role === 'server' ? state.db.url : state.db.appUrl,
    });
    if (options.migrate !== false) await runMigrations(state.engine);
  });
  afterAll(async () => {
    const mode = state.engine?.routing.statements.current;
    await state.engine?.close();
    await state.db?.drop();
    // The pass behind PgBouncer 1.22+ proves something only if the engines really named their statements.
    if (testEnv.DATABASE_PREPARED_STATEMENTS) expect(mode).toBe(testEnv.DATABASE_PREPARED_STATEMENTS);
  });
  return {
    get url(): string {
      if (!state.db) throw new Error('useTestDatabase: read inside a test');
      return state.db.url;
    },
    /** The application role's URL the engine uses (see {@link TestDatabase.appUrl}). */
    get appUrl(): string {
      if (!state.db) throw new Error('useTestDatabase: read inside a test');
      return state.db.appUrl;
    },
    /** The owner's direct URL the migrations use. */
    get migrationUrl(): string {
      if (!state.db) throw new Error('useTestDatabase: read inside a test');
      return state.db.migrationUrl;
    },
    get engine(): Engine {
      if (!state.engine) throw new Error('useTestDatabase: read inside a test');
      return state.engine;
    },
  };
}

/**
 * Asserts that `text` does not contain the URL's password. A server reached without a password (trust
 * or peer auth through `TEST_DATABASE_URL`) has none to leak, so there is nothing to check.
 */
export function expectNoPassword(text: string, url: string): void {
  const password = decodeURIComponent(new URL(url).password);
  if (password) expect(text).not.toContain(password);
}
