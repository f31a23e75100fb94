import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { scrubSecrets } from '../config/redact.js';
import type { Engine } from '../engine/create-engine.js';
import { connectClient } from '../engine/host-selection.js';
import { ALL_ROWS, ROW_SCOPE_SETTING } from '../engine/scoped-query.js';
import { MigrationError, MigrationLockTimeoutError } from '../errors.js';
import { migrations as libraryMigrations } from './index.js';
import { migrationChecksum, type Migration } from './migration.js';
import { ident } from '../db/sql.js';

/** 'foodsave' as a 64-bit integer: the advisory lock key every runner of this library agrees on. */
const LOCK_KEY = '7381240791506712165';
const DEFAULT_TABLE = 'foodsave_db_migrations';

/** Options shared by {@link runMigrations}, {@link revertMigrations} and {@link migrationStatus}. */
export interface MigrationOptions {
  /**
   * Target migration name. `runMigrations` applies up to and including it (default: all pending);
   * `revertMigrations` reverts down to and including it, and `0` or no value means all (the document's
   * `downgrade base`).
   */
  to?: string | 0;
  /** How long to wait for another runner's lock, in ms. Default: 60 000. */
  lockTimeoutMs?: number;
  /** How often to retry the lock, in ms. Default: 200. */
  lockPollMs?: number;
  /** The migrations. Default: the library's own, in `src/migrations/index.ts`. */
  migrations?: readonly Migration[];
  /** The bookkeeping table (decision 14: never `SequelizeMeta`). Default: `foodsave_db_migrations`. */
  tableName?: string;
}

/** One applied migration, as recorded. */
export interface ExecutedMigration {
  name: string;
  checksum: string;
  executedAt: Date;
}

/** What {@link migrationStatus} reports. */
export interface MigrationStatus {
  /** Applied migrations, oldest first. */
  executed: ExecutedMigration[];
  /** Known migrations not applied yet, in the order they will run. */
  pending: string[];
  /** Applied migrations whose SQL has changed since: `runMigrations` refuses to run while any exist. */
  changed: string[];
  /** Applied migrations this version of the library does not know (applied by a newer version). */
  unknown: string[];
}

interface Context {
  client: pg.Client;
}

/**
 * Applies pending migrations. Host services call this at startup; many may call it at once, directly or
 * through a pooler.
 *
 * - Each migration runs in its own transaction that first takes a transaction-scoped advisory lock
 *   (`pg_try_advisory_xact_lock`, polled: a blocking wait can deadlock against DDL) and re-reads the
 *   bookkeeping table, so a runner that waited applies nothing twice. The lock lives exactly as long as
 *   the transaction, on the one server connection that runs it, so it holds under PgBouncer's
 *   transaction pooling too and can never be left behind: not by a killed runner, not by a pooler.
 * - Each migration and its bookkeeping row commit together, or not at all.
 * - An applied migration whose SQL changed is refused before anything runs.
 * - It connects with `DATABASE_MIGRATION_URL` when that is set (a direct URL past the pooler, for DDL
 *   that a pooler's settings would cut short), else with `DATABASE_URL`.
 *
 * @returns the names applied by this call, in order.
 * @throws {MigrationLockTimeoutError} when the lock is not free within `lockTimeoutMs`.
 * @throws {MigrationError} when a migration fails (its changes are rolled back) or has drifted.
 * @example
 * ```ts
 * const engine = createEngine();
 * const applied = await runMigrations(engine);
 * logger.info(`migrations applied: ${applied.join(', ') || 'none'}`);
 * ```
 */
export async function runMigrations(engine: Engine, options: MigrationOptions = {}): Promise<string[]> {
  if (options.to === 0) throw new MigrationError('runMigrations: `to` must be a migration name');
  return withRunner(engine, options, async (runner) => {
    await runner.locked(async () => {
      await refuseOtherSchema(runner.client, engine.settings.schema, options.tableName ?? DEFAULT_TABLE);
      const status = await readStatus(runner.client, runner.list, runner.table);
      if (status.changed.length > 0) {
        throw new MigrationError(
          `Applied migration(s) changed since they ran: ${status.changed.join(', ')}. ` +
            'Restore their original SQL and add a new migration instead.',
          { migration: status.changed[0], code: 'MIGRATION_DRIFT' },
        );
      }
    });
    const umzug = buildUmzug(runner, engine);
    await unwrap(umzug.up(options.to ? { to: options.to } : {}));
    return runner.done;
  });
}

/**
 * Reverts applied migrations, newest first. With no `to` it reverts every one, leaving an empty schema.
 *
 * @returns the names reverted, in order.
 * @example
 * ```ts
 * await revertMigrations(engine);                              // everything
 * await revertMigrations(engine, { to: '0002-pantry-ledger' }); // 0002 and everything after it
 * ```
 */
export async function revertMigrations(engine: Engine, options: MigrationOptions = {}): Promise<string[]> {
  return withRunner(engine, options, async (runner) => {
    const umzug = buildUmzug(runner, engine);
    await unwrap(umzug.down({ to: options.to ?? 0 }));
    return runner.done;
  });
}

/**
 * Reports applied, pending, changed and unknown migrations. Takes no lock and changes nothing.
 *
 * @example
 * ```ts
 * const { pending, changed } = await migrationStatus(engine);
 * if (changed.length) throw new Error(`drift: ${changed}`);
 * ```
 */
export async function migrationStatus(
  engine: Engine,
  options: Pick<MigrationOptions, 'migrations' | 'tableName'> = {},
): Promise<MigrationStatus> {
  const client = await connect(engine);
  try {
    return await statusOn(engine, client, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * {@link migrationStatus} read on a connection of the engine's own pool rather than one of its own: the
 * health check's way, so a probe every few seconds opens no connection and uses the application's
 * credentials, not the migrator's. @internal
 */
export async function pooledMigrationStatus(
  engine: Engine,
  options: Pick<MigrationOptions, 'migrations' | 'tableName'> = {},
): Promise<MigrationStatus> {
  const manager = engine.sequelize.connectionManager as unknown as {
    getConnection(): Promise<pg.Client>;
    releaseConnection(connection: pg.Client): unknown;
  };
  const client = await manager.getConnection();
  try {
    return await statusOn(engine, client, options);
  } finally {
    await manager.releaseConnection(client);
  }
}

/** The status read on `client`, whichever connection that is; errors become a MigrationError. */
async function statusOn(engine: Engine, client: pg.Client, options: Pick<MigrationOptions, 'migrations' | 'tableName'>): Promise<MigrationStatus> {
  try {
    return await readStatus(client, options.migrations ?? libraryMigrations, qualifiedTable(engine, options.tableName ?? DEFAULT_TABLE));
  } catch (cause) {
    throw asMigrationError(engine, cause);
  }
}

async function connect(engine: Engine): Promise<pg.Client> {
  try {
    return await connectClient(engine.connections.migration, { applicationName: 'foodsave-db:migrate', target: 'read-write' });
  } catch (cause) {
    throw new MigrationError(`Cannot connect to run migrations: ${safeMessage(engine, cause)}`, { cause });
  }
}

/** One runner's connection, options and results, and its one way of holding the lock. */
interface Runner {
  client: pg.Client;
  list: readonly Migration[];
  /** The bookkeeping table, qualified by the engine's schema. */
  table: string;
  /** Names this runner applied or reverted itself. */
  done: string[];
  /** Runs `work` in a transaction that holds the migration lock. */
  locked<T>(work: () => Promise<T>): Promise<T>;
  /** Inside a locked transaction: creates the schema and the bookkeeping table if missing, and makes
   * the schema (and the schemas of the extensions `migration` names) the transaction's search_path. */
  prepare(migration: Migration): Promise<void>;
}

async function withRunner<T>(engine: Engine, options: MigrationOptions, work: (runner: Runner) => Promise<T>): Promise<T> {
  const list = options.migrations ?? libraryMigrations;
  const table = options.tableName ?? DEFAULT_TABLE;
  assertValidList(list, table);
  const timeoutMs = options.lockTimeoutMs ?? 60_000;
  const pollMs = options.lockPollMs ?? 200;
  const client = await connect(engine);
  const runner: Runner = {
    client,
    list,
    table: qualifiedTable(engine, table),
    done: [],
    locked: (fn) => lockedTransaction(client, timeoutMs, pollMs, fn),
    prepare: (migration) => prepareTransaction(client, engine.settings.schema, qualifiedTable(engine, table), migration.extensions ?? []),
  };
  try {
    return await work(runner);
  } catch (cause) {
    throw asMigrationError(engine, cause);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs inside each migration's locked transaction, so a failed first migration leaves nothing behind:
 * not the schema, not an empty bookkeeping table. Both are looked up first, so a role without CREATE
 * can run when nothing is pending. The search_path is set for this transaction only (never the session,
 * which a pooler would hand to someone else): the schema, then the schemas of the extensions this
 * migration names, where they already live (a host may keep them in `public` or `extensions`). A
 * migration's own statements see and write every user's rows under the row-level security policies.
 */
async function prepareTransaction(client: pg.Client, schema: string, table: string, extensions: readonly string[]): Promise<void> {
  const { rows } = await client.query<{ schema: string | null; table: string | null }>(
    'SELECT to_regnamespace($1)::text AS schema, to_regclass($2)::text AS table',
    [quoteIdent(schema), table],
  );
  if (!rows[0]?.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  if (!rows[0]?.table) {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         name TEXT PRIMARY KEY,
         checksum TEXT NOT NULL,
         executed_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
  }
  await client.query(
    `SELECT set_config('search_path', concat_ws(', ', $1::text,
       (SELECT string_agg(DISTINCT quote_ident(n.nspname), ', ') FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = ANY($3::text[]) AND n.nspname <> $2)), true),
            set_config($4, $5, true)`,
    [quoteIdent(schema), schema, extensions, ROW_SCOPE_SETTING, ALL_ROWS],
  );
}

/**
 * Before 0.2 the tables went wherever the role's search_path pointed, often a `"$user"` schema. When the
 * engine's schema has no bookkeeping table but another schema on the session's search_path has one,
 * migrating would build a second, empty set of tables: refuse, and say which schema to name. (A second
 * install in a schema off the search_path is deliberate, and allowed.)
 */
async function refuseOtherSchema(client: pg.Client, schema: string, table: string): Promise<void> {
  const { rows } = await client.query<{ other: string | null }>(
    `SELECT (SELECT min(n.nspname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relname = $2 AND c.relkind = 'r' AND n.nspname <> $1
                AND n.nspname = ANY(current_schemas(false))) AS other
      WHERE to_regclass(quote_ident($1) || '.' || quote_ident($2)) IS NULL`,
    [schema, table],
  );
  const other = rows[0]?.other;
  if (other) {
    throw new MigrationError(
      `The library's tables are in schema "${other}", not "${schema}": set DATABASE_SCHEMA=${other} (or the schema option) ` +
        'so they are used, instead of creating a second, empty set.',
      { code: 'MIGRATION_FAILED' },
    );
  }
}

/**
 * BEGIN, take the transaction-scoped lock (polling, with a rollback between tries so no server
 * connection is held while waiting), run `work`, COMMIT. Any failure rolls back, which also frees the lock.
 */
async function lockedTransaction<T>(client: pg.Client, timeoutMs: number, pollMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [LOCK_KEY]);
      if (rows[0]?.ok) {
        // PostgreSQL 14+ notices a vanished client during a long statement, so a runner killed
        // mid-migration rolls back (and frees the lock) within a second instead of when the statement ends.
        await client.query(
          "SELECT set_config('client_connection_check_interval', '1000', true) WHERE current_setting('server_version_num')::int >= 140000",
        );
        const result = await work();
        await client.query('COMMIT');
        return result;
      }
      await client.query('ROLLBACK');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    if (Date.now() >= deadline) throw new MigrationLockTimeoutError(timeoutMs);
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

function asMigrationError(engine: Engine, cause: unknown): MigrationError {
  if (cause instanceof MigrationError) return cause;
  return new MigrationError(`Migration run failed: ${safeMessage(engine, cause)}`, { cause });
}

async function readStatus(client: pg.Client, list: readonly Migration[], table: string): Promise<MigrationStatus> {
  const executed: ExecutedMigration[] = [];
  if (await tableExists(client, table)) {
    const { rows } = await client.query<{ name: string; checksum: string; executed_at: Date }>(
      `SELECT name, checksum, executed_at FROM ${table} ORDER BY name`,
    );
    for (const r of rows) executed.push({ name: r.name, checksum: r.checksum, executedAt: r.executed_at });
  }
  const known = new Map(list.map((m) => [m.name, m]));
  const done = new Set(executed.map((e) => e.name));
  return {
    executed,
    pending: list.filter((m) => !done.has(m.name)).map((m) => m.name),
    changed: executed.filter((e) => known.has(e.name) && migrationChecksum(known.get(e.name)!) !== e.checksum).map((e) => e.name),
    unknown: executed.filter((e) => !known.has(e.name)).map((e) => e.name),
  };
}

function buildUmzug(runner: Runner, engine: Engine): Umzug<Context> {
  const { client, table: t } = runner;
  // The bookkeeping row is written inside each migration's own transaction (below), because Umzug logs
  // a migration only after `up` has returned, outside any transaction (umzug#708). These are no-ops.
  const storage: UmzugStorage<Context> = {
    async executed() {
      if (!(await tableExists(client, t))) return [];
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${t} ORDER BY name`);
      return rows.map((r) => r.name);
    },
    async logMigration() {},
    async unlogMigration() {},
  };
  // Umzug's list of what is applied was read without the lock; under the lock each step checks again,
  // so when another runner got there first this one skips the step.
  const step = (direction: 'up' | 'down', migration: Migration, sql: string, bookkeeping: [string, unknown[]]) =>
    runner.locked(async () => {
      const name = migration.name;
      await runner.prepare(migration);
      const { rows } = await client.query(`SELECT 1 FROM ${t} WHERE name = $1`, [name]);
      const recorded = rows.length > 0;
      if (direction === 'up' ? recorded : !recorded) return;
      try {
        await client.query(sql);
        await client.query(...bookkeeping);
      } catch (cause) {
        throw new MigrationError(`Migration ${name} failed and was rolled back: ${(cause as Error).message}`, { cause, migration: name });
      }
      runner.done.push(name);
    });
  return new Umzug<Context>({
    context: { client },
    storage,
    logger: {
      info: (m) => engine.logger.info('migration', m),
      warn: (m) => engine.logger.warn('migration', m),
      error: (m) => engine.logger.error('migration', m),
      debug: (m) => engine.logger.debug('migration', m),
    },
    migrations: runner.list.map((m) => ({
      name: m.name,
      up: () => step('up', m, m.up, [`INSERT INTO ${t} (name, checksum) VALUES ($1, $2)`, [m.name, migrationChecksum(m)]]),
      down: () => step('down', m, m.down, [`DELETE FROM ${t} WHERE name = $1`, [m.name]]),
    })),
  });
}

/** Umzug wraps a migration's error in its own; hosts get the library's error, or a MigrationError. */
async function unwrap<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof MigrationError) throw cause;
    if (error instanceof MigrationError) throw error;
    throw new MigrationError((error as Error).message, { cause: error });
  }
}

function assertValidList(list: readonly Migration[], table: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new MigrationError(`tableName must be a plain SQL identifier, got "${table}"`);
  }
  const seen = new Set<string>();
  for (const m of list) {
    if (seen.has(m.name)) throw new MigrationError(`Migration name ${m.name} is listed twice`, { migration: m.name });
    seen.add(m.name);
  }
}

function quoteIdent(name: string): string {
  return ident(name).text;
}

/** The bookkeeping table in the engine's schema. */
function qualifiedTable(engine: Engine, table: string): string {
  return ident(engine.settings.schema, table).text;
}

async function tableExists(client: pg.Client, table: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  return rows[0]?.t != null;
}

function safeMessage(engine: Engine, error: unknown): string {
  const { primary, migration } = engine.connections;
  return scrubSecrets((error as Error)?.message ?? String(error), [primary.password, migration.password]);
}
