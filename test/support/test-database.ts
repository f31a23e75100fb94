import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createEngine, runMigrations, type Engine, type EngineOptions } from '../../src/index.js';

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

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `${inject('databasePrefix')}${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
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
    state.engine = createEngine({ env: {}, poolSize: 2, maxOverflow: 8, ...options.engine, url: state.db.url });
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
