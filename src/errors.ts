/** Every `code` a {@link FoodsaveDbError} can carry. */
export const FOODSAVE_ERROR_CODES = [
  'CONFIG_INVALID',
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'UNIT_MISMATCH',
  'MIGRATION_FAILED',
  'MIGRATION_DRIFT',
  'MIGRATION_LOCK_TIMEOUT',
  'BACKUP_FAILED',
  'INVALID_ARGUMENT',
  'SCOPE_VIOLATION',
  'DATABASE_ERROR',
  'CONNECTION_FAILED',
  'QUERY_TIMEOUT',
  'POOL_TIMEOUT',
] as const;

/**
 * A value as an error message may quote it: at most `max` characters, then `…`. Messages never echo
 * more of the input than this, whatever its size. @internal
 */
export function excerpt(value: string, max = 40): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** A stable error code, such as `NOT_FOUND`; branch on it rather than on messages. */
export type FoodsaveErrorCode = (typeof FOODSAVE_ERROR_CODES)[number];

/**
 * Every error the library throws is a {@link FoodsaveDbError}. Host code can branch on `code`
 * (stable, machine-readable) or on the subclass, and reach the underlying driver error through `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await db.admin.users.create({ username: 'ana', email: 'ana@example.com' });
 * } catch (err) {
 *   if (err instanceof ConflictError) console.log(err.field); // "username"
 * }
 * ```
 */
export class FoodsaveDbError extends Error {
  /** A stable, machine-readable code; one of {@link FOODSAVE_ERROR_CODES}. */
  readonly code: FoodsaveErrorCode;

  constructor(code: FoodsaveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem with one configuration variable or option. */
export interface ConfigIssue {
  /** The environment variable or option name, such as `DATABASE_POOL_SIZE`. */
  readonly variable: string;
  /** What is wrong with its value. Never contains a password. */
  readonly message: string;
}

/** A `DATABASE_*` variable or engine option is missing or invalid. */
export class ConfigError extends FoodsaveDbError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(
      'CONFIG_INVALID',
      `Invalid database configuration: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`,
      options,
    );
    this.issues = issues;
  }
}

/** One problem with one field of some input. `path` is the zod path, such as `['items', 16, 'unitPrice']`. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Input failed validation. Nothing was written. */
export class ValidationError extends FoodsaveDbError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown; context?: string }) {
    const what = options?.context ? `${options.context}: ` : '';
    super(
      'VALIDATION_FAILED',
      `${what}${issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ')}`,
      options,
    );
    this.issues = issues;
  }

  /** The dotted paths of the failing fields, such as `items.16.unitPrice`. */
  get fields(): string[] {
    return this.issues.map((i) => i.path.join('.'));
  }
}

/** A row that the operation needs does not exist, or does not belong to the caller. */
export class NotFoundError extends FoodsaveDbError {
  readonly entity: string;
  readonly field: string | undefined;

  constructor(entity: string, message: string, options?: { cause?: unknown; field?: string }) {
    super('NOT_FOUND', message, options);
    this.entity = entity;
    this.field = options?.field;
  }
}

/** A unique constraint would be violated, such as a username that is already taken. */
export class ConflictError extends FoodsaveDbError {
  readonly field: string | undefined;

  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super('CONFLICT', message, options);
    this.field = options?.field;
  }
}

/** A migration failed, drifted from its recorded checksum, or could not run. */
export class MigrationError extends FoodsaveDbError {
  readonly migration: string | undefined;

  constructor(message: string, options?: { cause?: unknown; migration?: string; code?: 'MIGRATION_FAILED' | 'MIGRATION_DRIFT' | 'MIGRATION_LOCK_TIMEOUT' }) {
    super(options?.code ?? 'MIGRATION_FAILED', message, options);
    this.migration = options?.migration;
  }
}

/** Another runner held the migration lock for longer than the timeout. */
export class MigrationLockTimeoutError extends MigrationError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`Could not take the migration lock within ${timeoutMs} ms: another process is migrating`, {
      code: 'MIGRATION_LOCK_TIMEOUT',
    });
    this.timeoutMs = timeoutMs;
  }
}

/** A backup or restore failed, or a backup file is corrupt. */
export class BackupError extends FoodsaveDbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKUP_FAILED', message, options);
  }
}

/** Two units of different dimensions (mass and count, say) with no conversion known. Never guessed. */
export class UnitMismatchError extends FoodsaveDbError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string, detail?: string) {
    super('UNIT_MISMATCH', `Cannot convert ${from} to ${to}${detail ? `: ${detail}` : ''}`);
    this.from = from;
    this.to = to;
  }
}

/**
 * The database refused or failed a statement for a reason the library has no more specific error for.
 * `sqlState` is PostgreSQL's five-character SQLSTATE when the server sent one; `cause` is the driver's error.
 */
export class DatabaseError extends FoodsaveDbError {
  /** PostgreSQL's SQLSTATE, such as `40P01`; undefined when the error did not come from the server. */
  readonly sqlState: string | undefined;

  constructor(
    message: string,
    options?: { cause?: unknown; sqlState?: string; code?: 'DATABASE_ERROR' | 'CONNECTION_FAILED' | 'QUERY_TIMEOUT' | 'POOL_TIMEOUT' },
  ) {
    super(options?.code ?? 'DATABASE_ERROR', message, options);
    this.sqlState = options?.sqlState;
  }
}

/**
 * The connection could not be opened or was lost: refused, reset, terminated by an administrator
 * (`57P01`), a server shutting down (`57P02`, `57P03`), any SQLSTATE of class `08`, no host of the URL
 * matching `target_session_attrs`, or a write refused because the server is read-only (`25006`: a standby,
 * or a primary demoted by a failover; nothing was written). The statement may or may not have run; a
 * transaction it was part of did not commit. The next call reconnects, to the new primary after a failover.
 */
export class ConnectionError extends DatabaseError {
  constructor(message: string, options?: { cause?: unknown; sqlState?: string }) {
    super(message, { ...options, code: 'CONNECTION_FAILED' });
  }
}

/**
 * A statement ran out of time: the server's `statement_timeout` (`57014`) or `lock_timeout` (`55P03`),
 * or the client-side deadline (`DATABASE_QUERY_TIMEOUT`), after which the connection is destroyed.
 */
export class QueryTimeoutError extends DatabaseError {
  /** Which limit fired. */
  readonly limit: 'statement_timeout' | 'lock_timeout' | 'deadline';

  constructor(message: string, options: { cause?: unknown; sqlState?: string; limit: QueryTimeoutError['limit'] }) {
    super(message, { ...options, code: 'QUERY_TIMEOUT' });
    this.limit = options.limit;
  }
}

/** No pooled connection became free within `DATABASE_POOL_TIMEOUT`. */
export class PoolTimeoutError extends DatabaseError {
  /** How long the call waited, in ms, when known. */
  readonly waitMs: number | undefined;

  constructor(waitMs: number | undefined, options?: { cause?: unknown }) {
    const waited = waitMs === undefined ? 'the pool timeout' : `${Math.round(waitMs)} ms`;
    super(`No database connection became free within ${waited} (pool exhausted)`, { ...options, code: 'POOL_TIMEOUT' });
    this.waitMs = waitMs;
  }
}
