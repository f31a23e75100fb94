import pg from 'pg';
import { isStalePreparedStatement } from './server-signals.js';
import { MAX_NAMED_PER_CONNECTION, statementsOf, type RowShape } from './statement-names.js';

/** The transaction-local setting the row-level security policies read (migration 0011). */
export const ROW_SCOPE_SETTING = 'foodsave.user_id';

/** The setting's value for the back-office scope: every user's rows. */
export const ALL_ROWS = '*';

/** Where a statement keeps the scope it found, to put it back after itself. */
const OUTER_SCOPE_SETTING = 'foodsave.outer_user_id';
const SAVE_SCOPE = `SELECT set_config('${OUTER_SCOPE_SETTING}', coalesce(current_setting('${ROW_SCOPE_SETTING}', true), ''), true)`;
/** Sets the scope until the transaction ends; its one parameter is the scope. */
export const SET_SCOPE = `SELECT set_config('${ROW_SCOPE_SETTING}', $1, true)`;
const RESTORE_SCOPE = `SELECT set_config('${ROW_SCOPE_SETTING}', current_setting('${OUTER_SCOPE_SETTING}', true), true)`;

type Callback = (error: Error | null, result?: pg.QueryResult) => void;

/** pg's Query as this class uses it: @types/pg declares none of the protocol hooks it overrides. */
interface ProtocolQuery {
  text: string;
  values: unknown[];
  /** pg's own way to fail a query once, at its ReadyForQuery. */
  _canceledDueToError: unknown;
  _result: ResultInternals;
  requiresPreparation(): boolean;
  prepare(connection: unknown): void;
  handleDataRow(message: unknown): void;
  handleRowDescription(message: unknown): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
  handleError(error: unknown, connection: unknown): void;
  handleReadyForQuery(connection: unknown): void;
}
/** The fields of pg's Result that hold a row description (pg 8's `addFields` sets them). */
interface ResultInternals {
  fields: unknown[];
  _parsers: unknown[] | undefined;
  _prebuiltEmptyResultObject: object | null;
}

/** pg's own conversion of a JavaScript value to a parameter (dates, buffers, arrays, JSON). */
const prepareValue = (pg as unknown as { utils?: { prepareValue(value: unknown): unknown } }).utils?.prepareValue ?? ((value: unknown) => value);
// Text and values as separate arguments: a config object would be copied property by property by pg.
const QueryBase = pg.Query as unknown as new (text: string, values: unknown[], callback: Callback) => ProtocolQuery;

/**
 * Whether this pg keeps a row description where {@link RowShape} expects it. If a later pg does not,
 * every execution is described, as before.
 */
const SHAPES_KNOWN = (() => {
  const result = (new QueryBase('', [], () => undefined) as unknown as { _result: object })._result;
  return ['fields', '_parsers', '_prebuiltEmptyResultObject'].every((key) => key in result);
})();

/** The parts of pg's protocol connection a query writes to. */
interface Wire {
  parse(message: { text: string; name?: string }): void;
  bind(message: { values: unknown[]; statement?: string }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
}

/** A statement sent ahead of the main one in the same batch, whose result is not wanted. */
export interface Prelude {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * One statement run in a row-level security scope, in one extended-protocol batch and one round trip:
 *
 * 1. inside a caller's transaction only, the scope in force is saved;
 * 2. `foodsave.user_id` is set to this statement's (`set_config(…, true)`), unless the caller passes no
 *    scope: outside a transaction, on a connection whose role no policy applies to;
 * 3. the preludes run, if any (a receipt before its items);
 * 4. the statement runs, so its rows come back as pg's own: described, unless it is a named statement this
 *    connection has described before, whose row shape is kept ({@link RowShape});
 * 5. inside a caller's transaction only, the saved scope is put back;
 *
 * then one Sync. The server runs everything before a Sync as one transaction (an implicit one, or the
 * caller's open transaction), so the setting is in force for this statement alone: outside a transaction
 * the Sync ends it, and in a caller's transaction host SQL after it sees the scope the host chose, not
 * this one. Each part is a statement the server parses and plans, so the hot path (no transaction) sends
 * one besides the statement, and a transaction three. If any part fails, the
 * server skips the rest up to the Sync, and the transaction is rolled back or aborted, which undoes the
 * setting too. A transaction-mode pooler (PgBouncer) keeps the batch on one server connection.
 *
 * The other parts' replies (rows and a CommandComplete each, with no RowDescription since they are not
 * described) are consumed here, so the caller sees the statement's result alone. Every value is
 * converted before anything is written, so a value pg cannot send fails the query without a byte on the
 * wire.
 *
 * @internal
 */
export class ScopedQuery extends QueryBase {
  private readonly before: readonly Prelude[];
  private readonly restore: boolean;
  /** Replies to consume before the statement's own (`before`), then after it (the restore). */
  private phase: 'before' | 'main' | 'after' = 'before';
  private pending: number;
  /** How to name a text (undefined: all unnamed), and the names this batch parses, until it is answered. */
  private readonly nameFor: ((text: string) => string | undefined) | undefined;
  private parsing: { connection: object; names: string[] } | undefined;
  /** The name the main statement ran under, if any; whether this batch describes it, and what it got. */
  private main: { connection: object; name: string } | undefined;
  private describing = false;
  private described: RowShape | undefined;

  /** @param scope - the row scope; `undefined` where no policy applies to the role, so the setting is not sent. */
  constructor(
    scope: string | undefined,
    text: string,
    values: readonly unknown[],
    callback: Callback,
    options: { preludes?: readonly Prelude[]; inTransaction?: boolean; nameFor?: (text: string) => string | undefined } = {},
  ) {
    super(text, values as unknown[], callback);
    this.restore = options.inTransaction === true;
    const scoping = scope === undefined ? [] : [...(this.restore ? [{ text: SAVE_SCOPE, values: [] }] : []), { text: SET_SCOPE, values: [scope] }];
    this.restore &&= scope !== undefined;
    this.before = [...scoping, ...(options.preludes ?? [])];
    if (this.before.length === 0) this.phase = 'main';
    this.pending = this.before.length;
    this.nameFor = options.nameFor;
  }

  /** Always the extended protocol: the setting travels as a bind parameter, never in the text. */
  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: unknown): void {
    const wire = connection as Wire;
    let before: { text: string; values: unknown[] }[];
    let values: unknown[];
    try {
      before = this.before.map((p) => ({ text: p.text, values: p.values.map((v) => prepareValue(v)) }));
      values = (this.values ?? []).map((v) => prepareValue(v));
    } catch (error) {
      this._canceledDueToError = error;
      wire.sync();
      return;
    }
    for (const statement of before) {
      this.parseAndBind(wire, connection as object, statement.text, statement.values);
      wire.execute({ portal: '' });
    }
    const name = this.parseAndBind(wire, connection as object, this.text, values);
    if (name !== undefined) this.main = { connection: connection as object, name };
    // A named statement this connection has described before is not described again: its rows' shape is known.
    const shape = name === undefined || this.parsing?.names.includes(name) ? undefined : statementsOf(connection as object).shapes.get(name);
    if (shape) {
      this._result.fields = shape.fields;
      this._result._parsers = shape.parsers;
      this._result._prebuiltEmptyResultObject = shape.empty;
      this.accumulate();
    } else {
      wire.describe({ type: 'P', name: '' });
      this.describing = name !== undefined && SHAPES_KNOWN;
    }
    wire.execute({ portal: '' });
    if (this.restore) {
      this.parseAndBind(wire, connection as object, RESTORE_SCOPE, []);
      wire.execute({ portal: '' });
    }
    wire.sync();
  }

  /**
   * Parse (unless this connection's server already holds the named statement) and Bind. A name a failed
   * batch may have left half made is closed first: closing a statement that does not exist is no error.
   */
  private parseAndBind(wire: Wire, connection: object, text: string, values: unknown[]): string | undefined {
    const name = this.nameFor?.(text);
    if (name === undefined) {
      wire.parse({ text });
      wire.bind({ values });
      return undefined;
    }
    const held = statementsOf(connection);
    // Parsed already, or earlier in this same batch (a text sent twice in one batch is parsed once).
    if (!held.prepared.has(name) && !this.parsing?.names.includes(name)) {
      if (held.prepared.size >= MAX_NAMED_PER_CONNECTION) {
        wire.parse({ text });
        wire.bind({ values });
        return undefined;
      }
      if (held.uncertain.delete(name)) wire.close({ type: 'S', name });
      held.shapes.delete(name);
      wire.parse({ text, name });
      this.parsing ??= { connection, names: [] };
      this.parsing.names.push(name);
    }
    wire.bind({ values, statement: name });
    return name;
  }

  /** pg keeps a described query's rows when it has a callback (as this query always has). */
  private accumulate(): void {
    (this as unknown as { _accumulateRows: boolean })._accumulateRows = true;
  }

  /** The main statement's description: kept for the next execution of the same named statement here. */
  override handleRowDescription(message: unknown): void {
    super.handleRowDescription(message);
    if (this.describing) {
      const { fields, _parsers: parsers, _prebuiltEmptyResultObject: empty } = this._result;
      if (parsers && empty) this.described = { fields, parsers, empty };
    }
  }

  /** Answered without error: the statements this batch parsed are on the server now. */
  override handleReadyForQuery(connection: unknown): void {
    if (this.parsing) for (const name of this.parsing.names) statementsOf(this.parsing.connection).prepared.add(name);
    this.parsing = undefined;
    if (this.main && this.described && !this._canceledDueToError) statementsOf(this.main.connection).shapes.set(this.main.name, this.described);
    super.handleReadyForQuery(connection);
  }

  /** Failed: which of this batch's statements were parsed before the error is unknown. */
  override handleError(error: unknown, connection: unknown): void {
    if (this.parsing) for (const name of this.parsing.names) statementsOf(this.parsing.connection).uncertain.add(name);
    this.parsing = undefined;
    if (this.main && isStalePreparedStatement(error)) {
      // Closed and parsed again on its next use, for the result type the table has now.
      const held = statementsOf(this.main.connection);
      held.prepared.delete(this.main.name);
      held.uncertain.add(this.main.name);
    }
    super.handleError(error, connection);
  }

  override handleDataRow(message: unknown): void {
    if (this.phase === 'main') super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: unknown): void {
    if (this.phase === 'before') {
      if (--this.pending === 0) this.phase = 'main';
      return;
    }
    if (this.phase === 'main') {
      this.phase = 'after';
      super.handleCommandComplete(message, connection);
    }
  }
}
