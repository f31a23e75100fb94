import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createEngine, runMigrations, type Engine, type EngineOptions } from '../../src/index.js';

/**
 * The schema the run puts the library in (`TEST_DATABASE_SCHEMA`, default `public`). In the own-schema
 * pass each test database also holds a host's own `public.users`, which the library must never touch.
 */
export const testSchema = process.env.TEST_DATABASE_SCHEMA ?? 'public';

/** The environment the tests give their engines: the run's schema, and nothing else from the process. */
export const testEnv: Record<string, string> = testSchema === 'public' ? {} : { DATABASE_SCHEMA: testSchema };

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
  const client = new pg.Client({ connectionString: rawUrl(url) });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
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
  drop(): Promise<void>;
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
  const client = new pg.Client({ connectionString: inject('serverUrl') });
  await client.connect();
  try {
    return await client.query<R>(sql, params);
  } finally {
    await client.end();
  }
}

async function queryDatabase(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database. In the own-schema pass it holds the host's `public.users` unless
 * `hostTable` is false.
 */
export async function createTestDatabase(label = 'db', options: { hostTable?: boolean } = {}): Promise<TestDatabase> {
  const name = `${inject('databasePrefix')}${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  if (testSchema !== 'public' && options.hostTable !== false) await queryDatabase(withDatabase(inject('serverUrl'), name), HOST_TABLE);
  return {
    name,
    url: withDatabase(inject('engineServerUrl'), name),
    directUrl: withDatabase(inject('serverUrl'), name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * Registers hooks that give the file a fresh database (and, with `migrate`, a migrated engine on it),
 * dropped after the file. Read the fields inside tests, not at import time.
 */
export function useTestDatabase(options: { label?: string; migrate?: boolean; engine?: Omit<EngineOptions, 'url'> } = {}) {
  const state: { db?: TestDatabase; engine?: Engine } = {};
  beforeAll(async () => {
    state.db = await createTestDatabase(options.label);
    state.engine = createEngine({ env: {}, poolSize: 2, maxOverflow: 8, schema: testSchema, ...options.engine, url: state.db.url });
    if (options.migrate !== false) await runMigrations(state.engine);
  });
  afterAll(async () => {
    await state.engine?.close();
    await state.db?.drop();
  });
  return {
    get url(): string {
      if (!state.db) throw new Error('useTestDatabase: read inside a test');
      return state.db.url;
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
