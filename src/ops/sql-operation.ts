/** What a statement does and to which table, for metric labels. */
export interface SqlOperation {
  /** `select`, `insert`, `update`, `delete` or `other` (DDL, BEGIN, COMMIT, SET, ...). */
  operation: 'select' | 'insert' | 'update' | 'delete' | 'other';
  /** The main table, when it can be told; `undefined` otherwise. */
  table: string | undefined;
}

/**
 * Only this much of a statement's text is read. The verb and the main table come first in every
 * statement the library sends; a host statement with megabytes of inlined values then costs no more
 * than a short one, and no pattern below can go quadratic on it.
 */
export const CLASSIFY_PREFIX = 4096;
/** The cache holds texts up to this many characters in all; older entries leave first. */
const CACHE_CHARS = 512 * 1024;
/** Longer texts are not cached: a long text is almost always one with values inlined, seen once. */
const CACHE_TEXT_LIMIT = 8192;

/** A classifier, with what its cache holds (for tests and the curious). @internal */
export interface SqlClassifier {
  (sql: string): SqlOperation;
  /** Characters of SQL text held by the cache. */
  readonly cachedChars: number;
}

/**
 * Classifies SQL by its leading verb (for a `WITH` query, the first data-modifying verb, else select)
 * and the table after FROM / INTO / UPDATE, reading at most {@link CLASSIFY_PREFIX} characters, in time
 * linear in that prefix. Statements are mostly the same few texts, so results are cached per text; the
 * cache is bounded in characters, not entries, and is per classifier, never process-wide.
 *
 * @internal
 */
export function createSqlClassifier(): SqlClassifier {
  const cache = new Map<string, SqlOperation>();
  let chars = 0;
  const classifier = (sql: string): SqlOperation => {
    const hit = cache.get(sql);
    if (hit) return hit;
    const result = classify(sql.length > CLASSIFY_PREFIX ? sql.slice(0, CLASSIFY_PREFIX) : sql);
    if (sql.length <= CACHE_TEXT_LIMIT) {
      while (chars + sql.length > CACHE_CHARS && cache.size > 0) {
        const oldest = cache.keys().next().value as string;
        cache.delete(oldest);
        chars -= oldest.length;
      }
      cache.set(sql, result);
      chars += sql.length;
    }
    return result;
  };
  return Object.defineProperty(classifier, 'cachedChars', { get: () => chars }) as SqlClassifier;
}

/**
 * The text with `--` and `/* *\/` comments blanked, in one pass: each comment and each quoted string or
 * identifier is skipped whole, so a `--` inside a string stays.
 */
export function stripComments(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close === -1) break;
      i = close;
      continue;
    }
    if (c !== '-' && c !== '/') continue;
    const next = text[i + 1];
    let end: number;
    if (c === '-' && next === '-') {
      end = text.indexOf('\n', i + 2);
    } else if (c === '/' && next === '*') {
      end = text.indexOf('*/', i + 2);
      if (end !== -1) end += 2;
    } else {
      continue;
    }
    out += text.slice(from, i) + ' ';
    if (end === -1) return out;
    from = end;
    i = end - 1;
  }
  return out + text.slice(from);
}

const IDENT = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))`;
const QUALIFIED = new RegExp(String.raw`^\s*(?:${IDENT}\s*\.\s*)?${IDENT}`);

function tableAfter(sql: string, keyword: RegExp): string | undefined {
  const match = keyword.exec(sql);
  if (!match) return undefined;
  const rest = QUALIFIED.exec(sql.slice(match.index + match[0].length));
  if (!rest) return undefined;
  const name = rest[3] ?? rest[4];
  return name?.replace(/""/g, '"');
}

function classify(sql: string): SqlOperation {
  const text = stripComments(sql).trimStart();
  const verb = /^[A-Za-z]+/.exec(text)?.[0]?.toLowerCase();
  if (verb === 'with') {
    for (const [op, re] of [
      ['insert', /\binsert\s+into\s+/i],
      ['update', /\bupdate\s+/i],
      ['delete', /\bdelete\s+from\s+/i],
    ] as const) {
      if (re.test(text)) return { operation: op, table: tableAfter(text, re) };
    }
    return { operation: 'select', table: tableAfter(text, /\)\s*select\b[\s\S]*?\bfrom\s+/i) };
  }
  switch (verb) {
    case 'select':
      return { operation: 'select', table: tableAfter(text, /\bfrom\s+/i) };
    case 'insert':
      return { operation: 'insert', table: tableAfter(text, /\binto\s+/i) };
    case 'update':
      return { operation: 'update', table: tableAfter(text, /^update\s+(?:only\s+)?/i) };
    case 'delete':
      return { operation: 'delete', table: tableAfter(text, /\bfrom\s+(?:only\s+)?/i) };
    default:
      return { operation: 'other', table: undefined };
  }
}
