/**
 * How the `foodsave-db` command reports what went wrong: at most two lines on stderr, what happened and
 * what to do about it.
 */
import { FoodsaveDbError } from './errors.js';

export const USAGE_HINT = "Run 'foodsave-db --help' for usage.";

/** Bad usage (exit 2): one line saying what is wrong, and one hint. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint: string = USAGE_HINT,
  ) {
    super(message);
  }
}

/** A failure (exit 1) the command explains itself, with what to do next. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The user answered no: nothing was changed (exit 1). */
export class Declined extends Error {
  constructor() {
    super('not confirmed; nothing was changed');
  }
}

/** The lines to print for an error: the error on one line, then a hint if there is one. */
export function describeError(error: unknown): string[] {
  if (error instanceof UsageError) return [`foodsave-db: ${oneLine(error.message)}`, error.hint];
  if (error instanceof CommandError || error instanceof Declined) {
    return [`foodsave-db: ${oneLine(error.message)}`, ...('hint' in error && error.hint ? [error.hint] : [])];
  }
  const label = error instanceof FoodsaveDbError ? error.code : 'ERROR';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const hint = hintFor(label, message);
  return [`foodsave-db: ${label}: ${message}`, ...(hint ? [hint] : [])];
}

function hintFor(code: string, message: string): string | undefined {
  if (code === 'CONFIG_INVALID') return 'Set DATABASE_URL to postgres://user:password@host:port/database (see the README, Configuration).';
  if (code === 'BACKUP_FAILED' && /pg_restore failed/.test(message) && /already exists/.test(message)) {
    return 'The database already holds these objects: restore into an empty database, or add --clean (and --yes) to drop them first.';
  }
  if (code === 'MIGRATION_LOCK_TIMEOUT') return 'Another runner is migrating: wait for it, or raise --lock-timeout.';
  if (code === 'CONNECTION_FAILED' || /Cannot connect|ECONNREFUSED|ENOTFOUND|timeout expired/i.test(message)) {
    return 'Check that the server is up and that DATABASE_URL (or DATABASE_MIGRATION_URL) points at it.';
  }
  return undefined;
}

/** Newlines and runs of spaces folded, so an error is one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
