import type { QueryResultRow } from 'pg';
import type { Transaction } from 'sequelize';
import { PoolTimeoutError } from '../errors.js';
import { ScopedQuery, type Prelude } from './scoped-query.js';
import type { Engine } from './create-engine.js';

/** Options every repository method accepts. */
export interface QueryOptions {
  /**
   * Run inside this transaction (from {@link withTransaction} or `engine.sequelize.transaction()`).
   * Default: none; the statement runs on its own pooled connection.
   */
  transaction?: Transaction | null;
}

/** @internal Options only the library's own callers pass. */
export interface ExecuteOptions extends QueryOptions {
  /** A deadline for this statement alone, in ms, instead of `DATABASE_QUERY_TIMEOUT`. */
  deadlineMs?: number;
  /**
   * The row-level security scope the statement runs in: a user's id, or `'*'` (every user's rows). Sent as the
   * transaction-local `foodsave.user_id` in the statement's own round trip. Default: none.
   */
  rowScope?: string;
  /**
   * Statements to run first in the same round trip and transaction, whose results are dropped (with
   * `rowScope` only). Default: none.
   */
  preludes?: readonly Prelude[];
}

interface PgConnection {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  query(submittable: ScopedQuery): unknown;
  nextDeadlineMs?: number;
  /** Set by Sequelize (`_invalid`) and pg (`_ending`, `_ended`) once the connection is unusable. */
  _invalid?: boolean;
  _ending?: boolean;
  _ended?: boolean;
}

interface Pool {
  acquire(): Promise<PgConnection>;
  release(connection: PgConnection): void;
  destroy(connection: PgConnection): Promise<void>;
}

/** Runs `text` with the row scope set in the same round trip ({@link ScopedQuery}). */
function scoped<R extends QueryResultRow>(
  connection: PgConnection,
  scope: string,
  text: string,
  values: readonly unknown[],
  preludes: readonly Prelude[] | undefined,
  inTransaction: boolean,
): Promise<{ rows: R[]; rowCount: number | null }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result?: unknown) => (error ? reject(error) : resolve(result as { rows: R[]; rowCount: number | null }));
    connection.query(new ScopedQuery(scope, text, values, done, { preludes: preludes ?? [], inTransaction }));
  });
}

/** sequelize-pool's TimeoutError sets no `name`; its class name is all there is to go on. */
function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && (error.constructor.name === 'TimeoutError' || error.name === 'TimeoutError');
}

/**
 * Runs one parameterised statement with node-postgres directly, on a connection from the engine's own
 * pool (or the given transaction's connection). This is the repositories' hot path: it skips
 * Sequelize's per-call option cloning, SQL generation and async hook chain, but shares its pool
 * (limits, recycling, validation), its type parsers and the engine's events, so echo logging and
 * metrics see it like any other query.
 *
 * Values are always sent as bind parameters, never spliced into the text.
 *
 * @internal
 */
export async function execute<R extends QueryResultRow>(
  engine: Engine,
  text: string,
  values: readonly unknown[],
  options: ExecuteOptions = {},
): Promise<{ rows: R[]; rowCount: number }> {
  const events = engine.events;
  const transactional = (options.transaction as unknown as { connection?: PgConnection } | null | undefined)?.connection;
  let pool: Pool | undefined;
  let connection = transactional;
  if (!connection) {
    pool = (engine.sequelize.connectionManager as unknown as { pool: Pool }).pool;
    const waitStart = performance.now();
    try {
      connection = await pool.acquire();
    } catch (error) {
      if (!isPoolTimeout(error)) throw error;
      const waitMs = performance.now() - waitStart;
      const wrapped = new PoolTimeoutError(waitMs, { cause: error });
      events.emit('acquireTimeout', { waitMs, error: wrapped });
      throw wrapped;
    }
    if (events.listenerCount('acquire') > 0) events.emit('acquire', { waitMs: performance.now() - waitStart });
  }
  const started = performance.now();
  if (options.deadlineMs !== undefined) connection.nextDeadlineMs = options.deadlineMs;
  try {
    const result =
      options.rowScope === undefined ? await connection.query<R>(text, values as unknown[]) : await scoped<R>(connection, options.rowScope, text, values, options.preludes, transactional !== undefined);
    if (events.listenerCount('query') > 0) events.emit('query', { sql: text, durationMs: performance.now() - started });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    events.emit('query', { sql: text, durationMs: performance.now() - started, error: error as Error });
    throw error;
  } finally {
    if (pool) {
      // A connection that died (a deadline, a lost server) must never be handed out again.
      if (connection._invalid || connection._ending || connection._ended) void pool.destroy(connection).catch(() => undefined);
      else pool.release(connection);
      if (events.listenerCount('release') > 0) events.emit('release', {});
    }
  }
}
