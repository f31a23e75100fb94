import { ConflictError, FoodsaveDbError, NotFoundError, ValidationError } from '../errors.js';

/** What a unique index or constraint protects, as the API names it. */
const UNIQUE_FIELDS: Record<string, string> = {
  users_username_key: 'username',
  users_email_key: 'email',
  users_email_lower_key: 'email',
  idx_conversations_session_id: 'sessionId',
  recipe_categories_pkey: 'categoryIds',
};

interface PgErrorLike {
  code?: string;
  constraint?: string;
  column?: string;
  detail?: string;
  table?: string;
  message: string;
}

function pgError(error: unknown): PgErrorLike | undefined {
  if (!error || typeof error !== 'object') return undefined;
  // Sequelize wraps the driver's error in `parent`; our own hot path throws it as it is.
  const candidate = ((error as { parent?: unknown }).parent ?? error) as PgErrorLike;
  return typeof candidate.code === 'string' ? candidate : undefined;
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** `conversations_user_id_fkey` → `userId` (PostgreSQL's default constraint names). */
function fieldFromConstraint(constraint: string | undefined, table: string | undefined): string | undefined {
  if (!constraint) return undefined;
  let rest = constraint;
  if (table && rest.startsWith(`${table}_`)) rest = rest.slice(table.length + 1);
  rest = rest.replace(/_(fkey|key|check|pkey)$/, '');
  return camel(rest);
}

/**
 * Turns a database error into the library's error, so host code never sees a raw driver or Sequelize
 * error from a repository. Errors it does not recognise are returned unchanged.
 *
 * @internal
 */
export function mapDatabaseError(error: unknown, entity: string): unknown {
  if (error instanceof FoodsaveDbError) return error;
  const pg = pgError(error);
  if (!pg) return error;
  switch (pg.code) {
    case '23505': {
      const field = UNIQUE_FIELDS[pg.constraint ?? ''] ?? fieldFromConstraint(pg.constraint, pg.table) ?? 'value';
      return new ConflictError(`${field} already taken`, { cause: error, field });
    }
    case '23503': {
      const field = fieldFromConstraint(pg.constraint, pg.table) ?? 'reference';
      // On insert/update the referenced row is missing; on delete the row is still referenced.
      if (/is still referenced/.test(pg.detail ?? '')) {
        return new ConflictError(`${entity} is still in use (${pg.detail})`, { cause: error, field });
      }
      const target = field.replace(/Id$/, '');
      return new NotFoundError(target, `${field}: no ${target} with that id`, { cause: error, field });
    }
    case '23514': {
      const field = fieldFromConstraint(pg.constraint, pg.table) ?? 'value';
      return new ValidationError([{ path: [field], message: `violates ${pg.constraint}` }], { cause: error, context: entity });
    }
    case '23502':
      return new ValidationError([{ path: [camel(pg.column ?? 'value')], message: 'is required' }], { cause: error, context: entity });
    case '22P02':
    case '22003':
    case '22001':
    case '22007':
    case '22008':
      return new ValidationError([{ path: [], message: pg.message }], { cause: error, context: entity });
    default:
      return error;
  }
}
