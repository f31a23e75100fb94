import type { QueryResultRow } from 'pg';
import type { Transaction } from 'sequelize';
import { PoolTimeoutError } from '../errors.js';
import { giveBack, poolOf, takeIdle, type PgConnection, type Pool } from './pool-access.js';
import type { ReplicaMember } from './replica-set.js';
import { ScopedQuery, type Prelude } from './scoped-query.js';
import type { StatementNames } from './statement-names.js';
import { isConnectionLoss, isLostPreparedStatement, isReadOnlyRefusal, isStalePreparedStatement } from './server-signals.js';
import type { Engine } from './create-engine.js';

/** Options every repository method accepts. */
export interface QueryOptions {
  /**
   * Run inside this transaction (from {@link withTransaction} or `engine.sequelize.transaction()`).
   * Default: none; the statement runs on its own pooled connection.
   */
  transaction?: Transaction | null;
  /**
   * With read replicas (`DATABASE_REPLICA_URLS`): `replica` lets a read run on a replica within the lag
   * bound (the primary when none is), `primary` sends it to the primary, to read your own writes at once.
   * Writes, and every statement in a transaction, run on the primary whatever this says. Default: `replica`.
   */
  consistency?: 'replica' | 'primary';
}

/** Where a read may run: see {@link QueryOptions.consistency}. */
export type Consistency = NonNullable<QueryOptions['consistency']>;

/** @internal Options only the library's own callers pass. */
export interface ExecuteOptions extends QueryOptions {
  /** A deadline for this statement alone, in ms, instead of `DATABASE_QUERY_TIMEOUT`. */
  deadlineMs?: number;
  /**
   * The row-level security scope the statement runs in: a user's id, or `'*'` (every user's rows). Sent as the
   * transaction-local `foodsave.user_id` in the statement's own round trip, except outside a transaction on a
   * connection whose role PostgreSQL exempts from the policies. Default: none.
   */
  rowScope?: string;
  /**
   * Statements to run first in the same round trip and transaction, whose results are dropped (with
   * `rowScope` only). Default: none.
   */
  preludes?: readonly Prelude[];
  /** The statement only reads, so outside a transaction it may run on a replica. Default: false. */
  read?: boolean;
}

/**
 * Runs `text` with the row scope set in the same round trip ({@link ScopedQuery}). With `names` (outside
 * a caller's transaction), repeated texts go as named statements; in a transaction never, so a pooler
 * that loses them can fail nothing but a batch that is safe to run again.
 */
function scoped<R extends QueryResultRow>(
  connection: PgConnection,
  scope: string | undefined,
  text: string,
  values: readonly unknown[],
  preludes: readonly Prelude[] | undefined,
  names: StatementNames | undefined,
): Promise<{ rows: R[]; rowCount: number | null }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result?: unknown) => (error ? reject(error) : resolve(result as { rows: R[]; rowCount: number | null }));
    const nameFor = names && names.current !== 'off' ? (t: string) => names.nameFor(t) : undefined;
    connection.query(new ScopedQuery(scope, text, values, done, { preludes: preludes ?? [], inTransaction: names === undefined, ...(nameFor ? { nameFor } : {}) }));
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
 * A read (`read`) outside a transaction goes to a replica when the engine has some and the caller did
 * not ask for the primary. A replica that loses the connection is marked down and the next one is tried,
 * then the primary; a read the replica refuses as a write (25006) goes to the primary.
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
  const transactional = (options.transaction as unknown as { connection?: PgConnection } | null | undefined)?.connection;
  const replicas = engine.routing.replicas;
  if (replicas && options.read && !transactional && options.consistency !== 'primary') {
    for (const member of await replicas.candidates()) {
      try {
        return await runOn<R>(engine, member, undefined, text, values, options);
      } catch (error) {
        if (isReadOnlyRefusal(error)) break;
        if (!isConnectionLoss(error)) throw error;
        replicas.markDown(member, error);
      }
    }
  }
  return runOn<R>(engine, undefined, transactional, text, values, options);
}

/**
 * Runs the statement on a replica's pool, the transaction's connection, or the primary's pool: the one
 * async step of a call, with the pool's acquire inside it. Outside a transaction, repeated texts go
 * named where the engine names them; when the connection path turns out not to keep them (a pooler),
 * nothing ran, as the whole batch was one implicit transaction, so in `auto` the call runs again
 * unnamed, as every later one will. A named statement whose result type a migration changed runs again,
 * parsed anew.
 */
async function runOn<R extends QueryResultRow>(
  engine: Engine,
  replica: ReplicaMember | undefined,
  transactional: PgConnection | undefined,
  text: string,
  values: readonly unknown[],
  options: ExecuteOptions,
): Promise<{ rows: R[]; rowCount: number }> {
  const events = engine.events;
  const where = replica ? { replica: replica.name } : {};
  for (let attempt = 0; ; attempt++) {
    const pool = transactional ? undefined : poolOf(replica?.sequelize ?? engine.sequelize);
    const idle = pool && takeIdle(pool);
    if (idle && events.listenerCount('acquire') > 0) events.emit('acquire', { waitMs: 0 });
    const connection = idle ?? (pool ? await acquire(engine, pool) : transactional!);
    const started = performance.now();
    if (options.deadlineMs !== undefined) connection.nextDeadlineMs = options.deadlineMs;
    try {
      const result =
        options.rowScope === undefined
          ? await connection.query<R>(text, values as unknown[])
          : await scoped<R>(
              connection,
              // Outside a caller's transaction the setting would live for this statement alone, where no policy reads it.
              transactional === undefined && connection.bypassesRowSecurity ? undefined : options.rowScope,
              text,
              values,
              options.preludes,
              transactional === undefined ? engine.routing.statements : undefined,
            );
      if (events.listenerCount('query') > 0) events.emit('query', { sql: text, durationMs: performance.now() - started, ...where });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      // The primary may have changed: stop using connections made before (a failover, a demotion).
      if (!replica && (isConnectionLoss(error) || isReadOnlyRefusal(error))) engine.routing.hosts.suspect(connection);
      events.emit('query', { sql: text, durationMs: performance.now() - started, error: error as Error, ...where });
      // Outside a transaction nothing ran, so the call may run once more: with the statement parsed again
      // (a migration changed its result type), or unnamed (a pooler lost it).
      const again = () => isStalePreparedStatement(error) || (isLostPreparedStatement(error) && engine.routing.statements.giveUp(error));
      if (attempt > 0 || transactional || !again()) throw error;
    } finally {
      if (pool) {
        giveBack(pool, connection);
        if (events.listenerCount('release') > 0) events.emit('release', {});
      }
    }
  }
}

async function acquire(engine: Engine, pool: Pool): Promise<PgConnection> {
  const events = engine.events;
  const waitStart = performance.now();
  let connection: PgConnection;
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
  return connection;
}
