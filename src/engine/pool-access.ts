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

/** The parts of sequelize-pool 7 that {@link takeIdle} uses: its idle list and its own bookkeeping. */
interface PoolInternals {
  _draining: boolean;
  _pendingAcquires: unknown[];
  _availableObjects: { resource: PgConnection; useCount: number }[];
  _factory: { validate(connection: PgConnection): boolean };
  _addResourceToInUseObjects(connection: PgConnection, useCount: number): void;
}

function hasInternals(pool: object): boolean {
  const p = pool as Partial<PoolInternals>;
  return (
    typeof p._draining === 'boolean' &&
    Array.isArray(p._pendingAcquires) &&
    Array.isArray(p._availableObjects) &&
    typeof p._factory?.validate === 'function' &&
    typeof p._addResourceToInUseObjects === 'function'
  );
}
const fastPools = new WeakMap<object, boolean>();

/**
 * An idle connection taken at once, as sequelize-pool's own dispatch would take it (the newest idle one
 * that validates, moved to the in-use list; one that fails is destroyed), or undefined when the pool's
 * `acquire()` must decide: nothing idle, callers waiting, the pool draining, or a sequelize-pool whose
 * internals are not the ones known here. Its `acquire()` makes a promise, a timeout
 * timer and a queue entry for every call, which on the hot path cost about as much as the library's own
 * code.
 *
 * @internal
 */
export function takeIdle(pool: Pool): PgConnection | undefined {
  let known = fastPools.get(pool);
  if (known === undefined) fastPools.set(pool, (known = hasInternals(pool)));
  if (!known) return undefined;
  const p = pool as unknown as PoolInternals;
  if (p._draining || p._pendingAcquires.length > 0) return undefined;
  for (let idle = p._availableObjects.at(-1); idle; idle = p._availableObjects.at(-1)) {
    // As the pool's dispatch does: one that fails validation is destroyed (which takes it off the idle
    // list at once), and the next is tried. Validation is asked once per connection, as it counts.
    if (!p._factory.validate(idle.resource)) {
      void pool.destroy(idle.resource).catch(() => undefined);
      continue;
    }
    p._availableObjects.pop();
    p._addResourceToInUseObjects(idle.resource, idle.useCount);
    return idle.resource;
  }
  return undefined;
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
