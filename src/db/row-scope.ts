import type { Transaction } from 'sequelize';
import type { Engine } from '../engine/create-engine.js';
import { execute } from '../engine/execute.js';
import { ALL_ROWS, SET_SCOPE } from '../engine/scoped-query.js';
import { mapDatabaseError } from './map-database-error.js';
import { userScope } from './scope.js';
import { withTransaction, type TransactionOptions } from './with-transaction.js';

/** Whose rows {@link withRowScope} opens: one user's, or every user's (the back-office scope). */
export type RowScope = { userId: string } | 'all';

/**
 * Runs `fn` in a transaction whose row-level security scope is one user's rows, or every user's. The
 * library's own calls set their scope themselves, statement by statement; this is for everything else
 * that reads the library's tables on the engine: the exported Sequelize models, `engine.sequelize.query`,
 * a host's hand-written SQL. Outside such a transaction they see no user's rows and can write none
 * (the shared catalogue stays readable).
 *
 * The scope is the transaction-local setting `foodsave.user_id`, so it ends with the transaction and
 * is safe behind a transaction-mode pooler. It costs one round trip when the transaction starts.
 *
 * @throws {ValidationError} when `userId` is not a UUID.
 * @example
 * ```ts
 * const mine = await withRowScope(engine, { userId }, (transaction) =>
 *   engine.models.PantryItem.findAll({ where: { productId }, transaction }),
 * );
 * ```
 */
export async function withRowScope<T>(
  engine: Engine,
  scope: RowScope,
  fn: (transaction: Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const value = scope === 'all' ? ALL_ROWS : userScope(scope?.userId).rowScope;
  return withTransaction(
    engine,
    async (transaction) => {
      try {
        await execute(engine, SET_SCOPE, [value], { transaction });
      } catch (error) {
        throw mapDatabaseError(error, 'row scope');
      }
      return fn(transaction);
    },
    options,
  );
}
