import { FoodsaveDbError, ValidationError } from '../errors.js';
import { ALL_ROWS } from '../engine/scoped-query.js';
import { sql, type Sql } from './sql.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whose rows a query may see and change. Every repository and domain statement takes its owner
 * condition from here, so scoping is decided in one place: a later household scope (several users
 * sharing one pantry) is one more implementation of this interface, not a change to every method.
 *
 * @internal
 */
export interface Scope {
  readonly kind: 'user' | 'all';
  /** The user new rows are written for; `null` in the back-office scope, where input names the user. */
  readonly userId: string | null;
  /** The value of the row-level security setting `foodsave.user_id`: the user's id, or `*` for all. */
  readonly rowScope: string;
  /** The condition that the row whose owner column is `column` is visible in this scope. */
  owns(column: Sql): Sql;
}

/** The back-office scope: every user's rows. Only the admin repositories use it. @internal */
export const ALL_USERS: Scope = Object.freeze({
  kind: 'all' as const,
  userId: null,
  rowScope: ALL_ROWS,
  owns: () => sql`TRUE`,
});

/** One user's rows. The id is checked here, once, so no query ever sees a malformed owner. @internal */
export function userScope(userId: unknown, field = 'userId'): Scope & { readonly userId: string } {
  if (typeof userId !== 'string' || !UUID.test(userId)) {
    throw new ValidationError([{ path: [field], message: 'must be a UUID' }], { context: 'user scope' });
  }
  return Object.freeze({ kind: 'user' as const, userId, rowScope: userId, owns: (column: Sql) => sql`${column} = ${userId}` });
}

/** Throws unless `id` is a UUID, naming `field`. A regex, not zod: this is on every hot path. @internal */
export function checkId(id: unknown, field: string, context?: string): asserts id is string {
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw new ValidationError([{ path: [field], message: 'must be a UUID' }], context ? { context } : {});
  }
}

/**
 * The back-office narrowing of the all-users scope to one user (for the design document's
 * `get_user_*` methods). Inside a user's scope it is refused: a scope never widens or moves.
 *
 * @internal
 */
export function narrowScope(scope: Scope, userId: string): Scope {
  if (scope.kind !== 'all') throw new FoodsaveDbError('SCOPE_VIOLATION', 'A back-office method was called inside a user scope');
  return userScope(userId);
}
