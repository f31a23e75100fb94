import { escapeIdentifier } from 'pg';

/**
 * A piece of SQL with its bind values kept apart from its text. Built only by {@link sql}: a value
 * interpolated into the template becomes a `$n` parameter, a nested `Sql` is spliced in with its own
 * values renumbered, so no caller ever counts placeholders.
 *
 * @internal
 */
export class Sql {
  /** @internal */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /**
   * The text with `$1..$n` placeholders, numbered in order of appearance. The only place in the
   * library where placeholders are numbered.
   */
  get text(): string {
    let text = this.strings[0]!;
    for (let i = 1; i < this.strings.length; i++) text += '$' + String(i) + this.strings[i]!;
    return text;
  }
}

/**
 * The SQL template tag: ``sql`SELECT * FROM t WHERE id = ${id} AND ${fragment}` ``. Values become
 * parameters; `Sql` fragments (from `sql`, {@link join}, {@link ident}, {@link raw}) are inlined.
 *
 * @internal
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  if (!values.some((v) => v instanceof Sql)) return new Sql(strings, values);
  return splice(strings, values);
}

/** Template pieces and values, with every `Sql` value's own pieces and values spliced in. */
function splice(strings: readonly string[], values: readonly unknown[]): Sql {
  const outStrings: string[] = [strings[0]!];
  const outValues: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const next = strings[i + 1]!;
    if (value instanceof Sql) {
      // Glue the fragment's first and last text pieces onto the surrounding ones.
      outStrings[outStrings.length - 1] += value.strings[0]!;
      for (let j = 0; j < value.values.length; j++) {
        outValues.push(value.values[j]);
        outStrings.push(value.strings[j + 1]!);
      }
      outStrings[outStrings.length - 1] += next;
    } else {
      outValues.push(value);
      outStrings.push(next);
    }
  }
  return new Sql(outStrings, outValues);
}

const EMPTY = new Sql([''], []);

/** Fragments joined by a separator (`, ` by default); empty for none. @internal */
export function join(fragments: readonly Sql[], separator = ', '): Sql {
  if (fragments.length === 0) return EMPTY;
  // The separator is constant text between the fragments: pieces `'', sep, ..., sep, ''`.
  const strings = ['', ...fragments.slice(1).map(() => separator), ''];
  return splice(strings, fragments);
}

/** Quoted names, kept: the library quotes the same few column names on every call. */
const quotedNames = new Map<string, Sql>();

/** A quoted identifier (table, column, alias), with `"` doubled by pg's own escaper. @internal */
export function ident(...parts: string[]): Sql {
  // NUL never occurs in a name PostgreSQL accepts, so the joined key is unambiguous.
  const key = parts.length === 1 ? parts[0]! : parts.join('\u0000');
  let quoted = quotedNames.get(key);
  if (quoted === undefined) {
    quoted = raw(parts.map((p) => escapeIdentifier(p)).join('.'));
    if (quotedNames.size < 1000) quotedNames.set(key, quoted);
  }
  return quoted;
}

/**
 * Placeholders for names only the engine knows: its schema, and the schema `pg_trgm` was installed in.
 * Control characters never occur in the library's SQL text, and input never reaches the text.
 */
const SCHEMA_MARK = '\u0001schema\u0001';
const TRIGRAM_MARK = '\u0001pg_trgm\u0001';

/**
 * A table of the library's schema, qualified: `"schema"."table"` once {@link placeNames} has run, so no
 * statement depends on `search_path` (which poolers do not carry). @internal
 */
export function table(name: string): Sql {
  return raw(`${SCHEMA_MARK}.${escapeIdentifier(name)}`);
}

/** `pg_trgm`'s operator, qualified by the schema the extension lives in: `OPERATOR("s".%)`. @internal */
export function trigramOperator(operator: '%' | '<%'): Sql {
  return raw(`OPERATOR(${TRIGRAM_MARK}.${operator})`);
}

/** `pg_trgm`'s function, qualified by the schema the extension lives in. @internal */
export function trigramFunction(name: 'similarity' | 'word_similarity'): Sql {
  return raw(`${TRIGRAM_MARK}.${name}`);
}

/** Whether a statement's text names the `pg_trgm` schema, which the engine looks up once. @internal */
export function needsTrigramSchema(text: string): boolean {
  return text.includes(TRIGRAM_MARK);
}

/**
 * The text with the schema placeholders filled in, with names already quoted as identifiers.
 * The one place the placeholders are replaced. @internal
 */
export function placeNames(text: string, schema: string, trigramSchema?: string): string {
  let placed = text.replaceAll(SCHEMA_MARK, schema);
  if (trigramSchema !== undefined) placed = placed.replaceAll(TRIGRAM_MARK, trigramSchema);
  return placed;
}

/** Constant SQL text. Never pass input here: input goes in as a value. @internal */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

/** The empty fragment. @internal */
export const empty = EMPTY;
