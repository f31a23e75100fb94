import type { QueryResultRow } from 'pg';
import { ConnectionAcquireTimeoutError, type Transaction } from 'sequelize';
import type { Engine } from './create-engine.js';

/** Options every repository method accepts. */
export interface QueryOptions {
  /**
   * Run inside this transaction (from {@link withTransaction} or `engine.sequelize.transaction()`).
   * Default: none; the statement runs on its own pooled connection.
   */
  transaction?: Transaction | null;
}

interface PgConnection {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

interface Pool {
  acquire(): Promise<PgConnection>;
  release(connection: PgConnection): void;
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
  options: QueryOptions = {},
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
      if ((error as Error).name !== 'TimeoutError') throw error;
      const wrapped = new ConnectionAcquireTimeoutError(error as Error);
      events.emit('acquireTimeout', { waitMs: performance.now() - waitStart, error: wrapped });
      throw wrapped;
    }
    if (events.listenerCount('acquire') > 0) events.emit('acquire', { waitMs: performance.now() - waitStart });
  }
  const started = performance.now();
  try {
    const result = await connection.query<R>(text, values as unknown[]);
    if (events.listenerCount('query') > 0) events.emit('query', { sql: text, durationMs: performance.now() - started });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    events.emit('query', { sql: text, durationMs: performance.now() - started, error: error as Error });
    throw error;
  } finally {
    if (pool) {
      pool.release(connection);
      if (events.listenerCount('release') > 0) events.emit('release', {});
    }
  }
}
