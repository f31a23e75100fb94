/** What a statement does and to which table, for metric labels. */
export interface SqlOperation {
  /** `select`, `insert`, `update`, `delete` or `other` (DDL, BEGIN, COMMIT, SET, ...). */
  operation: 'select' | 'insert' | 'update' | 'delete' | 'other';
  /** The main table, when it can be told; `undefined` otherwise. */
  table: string | undefined;
}

const CACHE_LIMIT = 1000;

/**
 * Classifies SQL by its leading verb (for a `WITH` query, the first data-modifying verb, else select)
 * and the table after FROM / INTO / UPDATE. Statements are mostly the same few texts, so results are
 * cached per text; the cache is bounded and per classifier, never process-wide.
 *
 * @internal
 */
export function createSqlClassifier(): (sql: string) => SqlOperation {
  const cache = new Map<string, SqlOperation>();
  return (sql) => {
    const hit = cache.get(sql);
    if (hit) return hit;
    const result = classify(sql);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(sql, result);
    return result;
  };
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
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trimStart();
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
