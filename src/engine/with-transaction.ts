import type { Transaction } from 'sequelize';
import type { Engine } from './create-engine.js';

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
 * @example
 * ```ts
 * await withTransaction(engine, async (transaction) => {
 *   const user = await db.admin.users.create({ username: 'ana', email: 'ana@example.com' }, { transaction });
 *   await db.forUser(user.id).conversations.create({ sessionId: 's-1' }, { transaction });
 * });
 * ```
 */
export function withTransaction<T>(
  engine: Engine,
  fn: (transaction: Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return engine.sequelize.transaction(options.isolationLevel ? { isolationLevel: options.isolationLevel } : {}, fn);
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
