import {
  ConflictError,
  ConnectionError,
  DatabaseError,
  FoodsaveDbError,
  NotFoundError,
  PoolTimeoutError,
  QueryTimeoutError,
  ValidationError,
} from '../errors.js';
import { CONNECTION_CODES, CONNECTION_MESSAGE, isSequelizeConnectionError } from '../engine/server-signals.js';

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

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Sequelize wraps the driver's error in `parent`; the hot path throws the driver's error as it is. */
function inner(error: unknown): unknown {
  const parent = (error as { parent?: unknown } | null)?.parent;
  return parent instanceof Error ? parent : error;
}

function pgError(error: unknown): PgErrorLike | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate = inner(error) as PgErrorLike;
  return typeof candidate.code === 'string' && SQLSTATE.test(candidate.code) ? candidate : undefined;
}


/** Errors that carry no SQLSTATE: pool waits, lost connections, and Sequelize's connection errors. */
function mapDriverError(error: unknown): FoodsaveDbError | undefined {
  const e = error as { name?: string; code?: unknown; message?: string } | null;
  if (!e || typeof e !== 'object') return undefined;
  // The hot path throws PoolTimeoutError itself (engine/execute.ts); Sequelize's own path names its error.
  if (e.name === 'SequelizeConnectionAcquireTimeoutError') {
    return new PoolTimeoutError(undefined, { cause: error });
  }
  const root = inner(error) as typeof e;
  const connectionLike =
    isSequelizeConnectionError(error) ||
    (typeof root?.code === 'string' && CONNECTION_CODES.has(root.code)) ||
    CONNECTION_MESSAGE.test(root?.message ?? '');
  if (!connectionLike) return undefined;
  const sqlState = pgError(error)?.code;
  return new ConnectionError(`Database connection failed: ${firstLine(root?.message ?? String(error))}`, { cause: error, sqlState });
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The checks the library's triggers raise (23514 with these constraint names), as the API words them. */
const TRIGGER_CHECKS: Record<string, { field: string; message: string }> = {
  categories_no_cycle: { field: 'parentId', message: 'cannot be the category itself or one of its descendants' },
  categories_max_depth: { field: 'parentId', message: 'would nest categories more than 32 levels deep' },
};

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
 * Turns any error from the driver, the pool or Sequelize into the library's error, so host code never
 * sees a raw one. Constraint violations name the field; connection loss, timeouts and pool waits get
 * their own types; anything else becomes a {@link DatabaseError} carrying the SQLSTATE and the original
 * error as `cause`. This is the one place that knows SQLSTATEs.
 *
 * @internal
 */
export function mapDatabaseError(error: unknown, entity = 'database'): FoodsaveDbError {
  if (error instanceof FoodsaveDbError) return error;
  const wrapped = inner(error);
  if (wrapped instanceof FoodsaveDbError) return wrapped;
  const pg = pgError(error);
  if (!pg) {
    return mapDriverError(error) ?? new DatabaseError(`${entity}: ${firstLine((error as Error)?.message ?? String(error))}`, { cause: error });
  }
  return mapSqlState(pg, error, entity);
}

function mapSqlState(pg: PgErrorLike, error: unknown, entity: string): FoodsaveDbError {
  const sqlState = pg.code!;
  switch (sqlState) {
    case '23505': {
      const field = UNIQUE_FIELDS[pg.constraint ?? ''] ?? fieldFromConstraint(pg.constraint, pg.table) ?? 'value';
      return new ConflictError(`${field} already taken`, { cause: error, field });
    }
    case '23001': // PostgreSQL 18 reports a RESTRICT violation as restrict_violation, not 23503.
    case '23503': {
      const field = fieldFromConstraint(pg.constraint, pg.table) ?? 'reference';
      // On insert/update the referenced row is missing; on delete the row is still referenced.
      if (sqlState === '23001' || /is (still )?referenced/.test(pg.detail ?? '')) {
        return new ConflictError(`${entity} is still in use (${pg.detail ?? pg.message})`, { cause: error, field });
      }
      const target = field.replace(/Id$/, '');
      return new NotFoundError(target, `${field}: no ${target} with that id`, { cause: error, field });
    }
    case '23514': {
      const known = TRIGGER_CHECKS[pg.constraint ?? ''];
      if (known) return new ValidationError([{ path: [known.field], message: known.message }], { cause: error, context: entity });
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
    case '22021':
    case '22P05':
      return new ValidationError([{ path: [], message: firstLine(pg.message) }], { cause: error, context: entity });
    case '57014':
      return new QueryTimeoutError(`${entity}: statement cancelled (${firstLine(pg.message)})`, { cause: error, sqlState, limit: 'statement_timeout' });
    case '55P03':
      return new QueryTimeoutError(`${entity}: ${firstLine(pg.message)}`, { cause: error, sqlState, limit: 'lock_timeout' });
    case '57P01':
    case '57P02':
    case '57P03':
      return new ConnectionError(`Database connection failed: ${firstLine(pg.message)}`, { cause: error, sqlState });
    case '25006':
      // A write reached a read-only server: a standby, or a primary demoted by a failover. The engine has
      // already dropped that server's connections, so the next call finds the writable one.
      return new ConnectionError(`${entity}: the server is read-only (a standby, or a failover in progress): ${firstLine(pg.message)}`, { cause: error, sqlState });
    default:
      // Class 08 is connection exceptions, class 28 a refused login; Sequelize's connection errors wrap both.
      if (sqlState.startsWith('08') || sqlState.startsWith('28') || isSequelizeConnectionError(error)) return new ConnectionError(`Database connection failed: ${firstLine(pg.message)}`, { cause: error, sqlState });
      return new DatabaseError(`${entity}: ${firstLine(pg.message)}`, { cause: error, sqlState });
  }
}
