import type { QueryResultRow } from 'pg';
import type { Sequelize } from 'sequelize';
import type { ScopedQuery } from './scoped-query.js';

/** What the library uses of a pooled pg client. @internal */
export interface PgConnection {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  query(submittable: ScopedQuery): unknown;
  nextDeadlineMs?: number;
  /** Whether no policy applies to the connection's role (see DeadlineClient). */
  bypassesRowSecurity?: boolean;
  /** Set by Sequelize (`_invalid`) and pg (`_ending`, `_ended`) once the connection is unusable. */
  _invalid?: boolean;
  _ending?: boolean;
  _ended?: boolean;
}

export interface Pool {
  acquire(): Promise<PgConnection>;
  release(connection: PgConnection): void;
  destroy(connection: PgConnection): Promise<void>;
}

/** sequelize-pool's pool of a Sequelize instance. @internal */
export function poolOf(sequelize: Sequelize): Pool {
  return (sequelize.connectionManager as unknown as { pool: Pool }).pool;
}

/**
 * Runs one bare statement on a pool of the engine's (a replica's lag check), with a deadline, outside
 * any scope. @internal
 */
export async function queryPool<R extends QueryResultRow>(sequelize: Sequelize, text: string, deadlineMs: number): Promise<R[]> {
  const pool = poolOf(sequelize);
  const connection = await pool.acquire();
  connection.nextDeadlineMs = deadlineMs;
  try {
    return (await connection.query<R>(text)).rows;
  } finally {
    giveBack(pool, connection);
  }
}

/** Back to the pool; a connection that died (a deadline, a lost server) is destroyed, never handed out again. @internal */
export function giveBack(pool: Pool, connection: PgConnection): void {
  if (connection._invalid || connection._ending || connection._ended) void pool.destroy(connection).catch(() => undefined);
  else pool.release(connection);
}
