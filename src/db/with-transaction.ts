import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import { mapDatabaseError } from './map-database-error.js';

/** Options for {@link withTransaction}. */
export interface TransactionOptions {
  /** Isolation level. Default: the server's (READ COMMITTED). */
  isolationLevel?: Transaction.ISOLATION_LEVELS;
}

/**
 * Runs a unit of work in one transaction, across repositories: it commits if `fn` resolves and rolls
 * back if it throws. Pass the transaction to every call explicitly (`{ transaction }`); no CLS is used
 * (decision 13).
 *
 * Errors thrown by `fn` reach the caller unchanged; a failure to begin or commit (a lost connection, a
 * serialization failure) is a {@link FoodsaveDbError}, and a failed commit means nothing was written.
 *
 * @example
 * ```ts
 * await withTransaction(engine, async (transaction) => {
 *   const user = await db.admin.users.create({ username: 'ana', email: 'ana@example.com' }, { transaction });
 *   await db.forUser(user.id).conversations.create({ sessionId: 's-1' }, { transaction });
 * });
 * ```
 */
export async function withTransaction<T>(
  engine: Engine,
  fn: (transaction: Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const transaction = await beginTransaction(engine, options.isolationLevel);
  let result: T;
  try {
    result = await fn(transaction);
  } catch (error) {
    // The connection may be gone; Sequelize releases it whether or not the rollback reaches the server.
    await transaction.rollback().catch(() => undefined);
    throw error;
  }
  try {
    await transaction.commit();
  } catch (error) {
    throw mapDatabaseError(error, 'commit');
  }
  return result;
}

/**
 * Starts a transaction the caller must commit or roll back: for work that cannot sit inside one
 * callback, such as a paged export that yields between statements.
 *
 * @internal
 */
export async function beginTransaction(engine: Engine, isolationLevel?: TransactionOptions['isolationLevel']): Promise<Transaction> {
  try {
    return await engine.sequelize.transaction(isolationLevel ? { isolationLevel } : {});
  } catch (error) {
    throw mapDatabaseError(error, 'begin transaction');
  }
}

/**
 * Runs `fn` in the caller's transaction when there is one, else in a new one. Methods that write more
 * than one statement use it, so they are atomic alone and compose inside a caller's unit of work.
 *
 * @internal
 */
export function inTransaction<T>(
  engine: Engine,
  transaction: Transaction | null | undefined,
  fn: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  return transaction ? fn(transaction) : withTransaction(engine, fn);
}
