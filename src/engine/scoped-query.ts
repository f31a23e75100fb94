import pg from 'pg';

/** The transaction-local setting the row-level security policies read (migration 0011). */
export const ROW_SCOPE_SETTING = 'foodsave.user_id';

/** The setting's value for the back-office scope: every user's rows. */
export const ALL_ROWS = '*';

const SET_SCOPE = `SELECT set_config('${ROW_SCOPE_SETTING}', $1, true)`;

type Callback = (error: Error | null, result?: pg.QueryResult) => void;

/** pg's Query as this class uses it: @types/pg declares none of the protocol hooks it overrides. */
interface ProtocolQuery {
  requiresPreparation(): boolean;
  prepare(connection: unknown): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
}
/** pg's own conversion of a JavaScript value to a parameter (dates, buffers, arrays, JSON). */
const prepareValue = (pg as unknown as { utils?: { prepareValue(value: unknown): unknown } }).utils?.prepareValue ?? ((value: unknown) => value);
const QueryBase = pg.Query as unknown as new (config: { text: string; values: unknown[] }, values: undefined, callback: Callback) => ProtocolQuery;

/** The parts of pg's protocol connection a query writes to. */
interface Wire {
  parse(message: { text: string; name?: string }): void;
  bind(message: { values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  execute(message: { portal: string; rows?: number }): void;
}

/** A statement sent ahead of the main one in the same batch, whose result is not wanted. */
export interface Prelude {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * One statement preceded by `set_config('foodsave.user_id', scope, true)` (and any further preludes) in
 * the same extended-protocol batch: Parse, Bind and Execute for each prelude, then pg's own messages for
 * the statement, and one Sync.
 * The server runs everything before a Sync as one transaction (an implicit one, or the caller's open
 * transaction), so the setting is in force for exactly this statement and lasts no longer than its
 * transaction. It costs no extra round trip, and a transaction-mode pooler (PgBouncer) keeps the batch
 * on one server connection.
 *
 * The preludes' replies (rows and a CommandComplete each, with no RowDescription since they are not
 * described) are consumed here, so the caller sees the statement's result alone. An error in any of
 * them skips the rest up to the Sync, so the batch is all or nothing, like one statement.
 *
 * @internal
 */
export class ScopedQuery extends QueryBase {
  private readonly preludes: readonly Prelude[];
  private pending: number;

  constructor(
    scope: string,
    text: string,
    values: readonly unknown[],
    callback: Callback,
    preludes: readonly Prelude[] = [],
  ) {
    super({ text, values: values as unknown[] }, undefined, callback);
    this.preludes = [{ text: SET_SCOPE, values: [scope] }, ...preludes];
    this.pending = this.preludes.length;
  }

  /** Always the extended protocol: the setting travels as a bind parameter, never in the text. */
  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: unknown): void {
    const wire = connection as Wire;
    for (const prelude of this.preludes) {
      wire.parse({ text: prelude.text });
      wire.bind({ values: prelude.values as unknown[], valueMapper: prepareValue });
      wire.execute({ portal: '' });
    }
    super.prepare(connection);
  }

  override handleDataRow(message: unknown): void {
    if (this.pending === 0) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: unknown): void {
    if (this.pending > 0) {
      this.pending--;
      return;
    }
    super.handleCommandComplete(message, connection);
  }
}
