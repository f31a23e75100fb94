import { createHash } from 'node:crypto';
import type { Logger } from './logger.js';

/**
 * `DATABASE_PREPARED_STATEMENTS`: whether the library names its repeated statements, so that each
 * connection parses and plans them once.
 * - `auto`: named, until a pooler shows that it does not keep them from one transaction to the next
 *   (SQLSTATE 26000 or 42P05 before anything ran); then that call is retried unnamed and the engine sends
 *   only unnamed statements from then on, with a warning.
 * - `on`: always named; such an error reaches the caller.
 * - `off`: never named.
 */
export const PREPARED_STATEMENT_MODES = ['auto', 'on', 'off'] as const;
export type PreparedStatementMode = (typeof PREPARED_STATEMENT_MODES)[number];

/** How many distinct statement texts an engine counts or names: a bound on memory, not a tuning knob. */
const MAX_TEXTS = 2000;

/** How many named statements one connection keeps on its server. */
export const MAX_NAMED_PER_CONNECTION = 500;

/**
 * Which statements an engine sends named, and under what name. A text is named the second time it is
 * seen: a fixed statement (a repository's get, the row-level security scope) repeats at once, while a
 * text built for one input (an update of a chosen set of columns, an insert of n rows) is named only if
 * that very shape comes back. The name is a hash of the text, so it is the same on every connection and
 * in every process.
 *
 * @internal
 */
export class StatementNames {
  private readonly texts = new Map<string, number | string>();

  constructor(
    private mode: PreparedStatementMode,
    private readonly logger: Logger,
  ) {}

  /** The mode in force (`auto` turns into `off` once a pooler refused named statements). */
  get current(): PreparedStatementMode {
    return this.mode;
  }

  /** The name to send `text` under, or `undefined` to send it unnamed. */
  nameFor(text: string): string | undefined {
    if (this.mode === 'off') return undefined;
    const seen = this.texts.get(text);
    if (typeof seen === 'string') return seen;
    if (seen === undefined) {
      if (this.texts.size < MAX_TEXTS) this.texts.set(text, 1);
      return undefined;
    }
    const name = `fsdb_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    this.texts.set(text, name);
    return name;
  }

  /**
   * A named statement was missing (26000) or already there (42P05) on the server connection: a pooler
   * that hands each transaction to any server connection (PgBouncer before 1.21, or without
   * `max_prepared_statements`). In `auto`, stop naming and say so; returns whether the call may be
   * retried unnamed.
   */
  giveUp(error: unknown): boolean {
    if (this.mode !== 'auto') return this.mode === 'off';
    this.mode = 'off';
    this.logger.warn('prepared statements are off: the connection path does not keep them across transactions (a pooler in transaction mode?)', {
      sqlState: (error as { code?: string }).code,
      hint: 'PgBouncer 1.21+ keeps them with max_prepared_statements > 0; or set DATABASE_PREPARED_STATEMENTS=off to skip this check',
    });
    return true;
  }
}

/**
 * The rows a named statement returns, as pg's result keeps them once it has read the statement's
 * RowDescription: its fields, a parser per field, and the empty row each row is copied from. A named
 * statement cannot change its result type (PostgreSQL refuses: 0A000), so one Describe per connection
 * serves every later execution.
 */
export interface RowShape {
  readonly fields: unknown[];
  readonly parsers: unknown[];
  readonly empty: object;
}

/**
 * What one connection's server holds: statements parsed, those a failed batch may or may not have left,
 * and the row shape of each parsed statement that returns rows.
 */
interface ConnectionStatements {
  prepared: Set<string>;
  uncertain: Set<string>;
  shapes: Map<string, RowShape>;
}

const byConnection = new WeakMap<object, ConnectionStatements>();

/** The named statements of a pg protocol connection. @internal */
export function statementsOf(connection: object): ConnectionStatements {
  let statements = byConnection.get(connection);
  if (!statements) {
    statements = { prepared: new Set(), uncertain: new Set(), shapes: new Map() };
    byConnection.set(connection, statements);
  }
  return statements;
}
