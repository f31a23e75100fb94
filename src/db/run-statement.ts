import type { QueryResultRow } from 'pg';
import type { Engine } from '../engine/create-engine.js';
import { execute, type QueryOptions } from '../engine/execute.js';
import { mapDatabaseError } from './map-database-error.js';
import type { Scope } from './scope.js';
import { ident, needsTrigramSchema, placeNames, type Sql } from './sql.js';

const quotedSchemas = new Map<string, string>();

/**
 * A statement that may run on a replica: a plain SELECT. A data-modifying CTE starts with WITH and
 * `FOR UPDATE` only appears in transactions, so neither reaches a replica; a SELECT that still writes
 * (through a function) is refused there with 25006 and goes to the primary.
 */
const READ = /^\s*SELECT\b/i;
const trigramSchemas = new WeakMap<Engine, string>();

/**
 * Runs one statement built with the `sql` tag and turns database errors into the library's errors,
 * naming `entity`. Every repository and domain statement goes through here, and here its tables get the
 * engine's schema and the statement its row-level security scope: the scope is a required argument, so
 * no statement can be sent without one. Statements in `before` run first, in the same round trip and
 * transaction, for a write whose second part must see the first (a policy checks the parent row).
 * Here, too, a read is told apart from a write, for the engine's read replicas.
 *
 * @internal
 */
export async function runStatement<R extends QueryResultRow>(
  engine: Engine,
  scope: Scope,
  entity: string,
  query: Sql,
  options: QueryOptions = {},
  before: readonly Sql[] = [],
): Promise<{ rows: R[]; rowCount: number }> {
  try {
    const main = placed.get(engine)?.get(query.text) ?? (await place(engine, query.text, options));
    const preludes =
      before.length === 0
        ? NO_PRELUDES
        : await Promise.all(before.map(async (b) => ({ text: (placed.get(engine)?.get(b.text) ?? (await place(engine, b.text, options))).text, values: b.values })));
    return await execute<R>(engine, main.text, query.values, {
      transaction: options.transaction ?? null,
      rowScope: scope.rowScope,
      preludes,
      read: preludes.length === 0 && main.read,
      ...(options.consistency === undefined ? {} : { consistency: options.consistency }),
    });
  } catch (error) {
    throw mapDatabaseError(error, entity);
  }
}

const NO_PRELUDES: readonly never[] = [];

/** A statement's text as sent: schema names placed, and whether it is a plain read. */
interface Placed {
  readonly text: string;
  readonly read: boolean;
}

/** How many texts an engine keeps placed: the library's statements, and a bound for texts built per input. */
const MAX_PLACED = 2000;
const MAX_PLACED_LENGTH = 8192;
const placed = new WeakMap<Engine, Map<string, Placed>>();

/**
 * The text with the engine's schema names placed ({@link placeNames}), kept per engine: most calls send
 * a text sent before, and one look-up in `placed` (by the caller, without an await) replaces the scans
 * for placeholders and for a plain SELECT. This is the miss.
 */
async function place(engine: Engine, text: string, options: QueryOptions): Promise<Placed> {
  let texts = placed.get(engine);
  const trigram = needsTrigramSchema(text) ? (trigramSchemas.get(engine) ?? (await findTrigramSchema(engine, options))) : undefined;
  const sent = placeNames(text, quotedSchema(engine.settings.schema), trigram);
  const result: Placed = { text: sent, read: READ.test(sent) };
  if (!texts) placed.set(engine, (texts = new Map()));
  // Not kept: a text built for one large input, and one placed before pg_trgm's schema was known.
  if (texts.size < MAX_PLACED && text.length <= MAX_PLACED_LENGTH && (trigram === undefined || trigramSchemas.has(engine))) texts.set(text, result);
  return result;
}

/** The engine's schema as a quoted identifier; the few schemas a process uses are quoted once. */
export function quotedSchema(schema: string): string {
  let quoted = quotedSchemas.get(schema);
  if (quoted === undefined) {
    quoted = ident(schema).text;
    quotedSchemas.set(schema, quoted);
  }
  return quoted;
}

/**
 * Where `pg_trgm` lives: the library's schema when the migrations installed it, or wherever the host
 * had already installed it (an extension exists once per database). Looked up once per engine.
 */
async function findTrigramSchema(engine: Engine, options: QueryOptions): Promise<string> {
  const { rows } = await execute<{ schema: string }>(
    engine,
    "SELECT quote_ident(n.nspname) AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    [],
    options,
  );
  const schema = rows[0]?.schema;
  if (schema === undefined) return quotedSchema(engine.settings.schema);
  trigramSchemas.set(engine, schema);
  return schema;
}
