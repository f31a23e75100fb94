import type { QueryResultRow } from 'pg';
import type { Transaction } from 'sequelize';
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

interface ConnectionManager {
  getConnection(options?: { type?: string }): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): void;
}

/**
 * Runs one parameterised statement on the engine's pool (or the given transaction's connection) with
 * node-postgres directly. This is the repositories' hot path: it skips Sequelize's per-call option
 * cloning and SQL generation, but shares its pool, its type parsers and the engine's query events, so
 * echo logging and metrics see it like any other query.
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
  const manager = engine.sequelize.connectionManager as unknown as ConnectionManager;
  const transactional = (options.transaction as unknown as { connection?: PgConnection } | null | undefined)?.connection;
  const connection = transactional ?? (await manager.getConnection({ type: 'SELECT' }));
  const started = performance.now();
  try {
    const result = await connection.query<R>(text, values as unknown[]);
    engine.events.emit('query', { sql: text, durationMs: performance.now() - started });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    engine.events.emit('query', { sql: text, durationMs: performance.now() - started, error: error as Error });
    throw error;
  } finally {
    if (!transactional) manager.releaseConnection(connection);
  }
}
