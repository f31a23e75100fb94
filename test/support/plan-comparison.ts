import pg from 'pg';

/** A statement as a client sent it: its text and its values, before pg converts them. */
export interface SentStatement {
  text: string;
  values: readonly unknown[];
}

/** The statements of transaction control and settings, which have no plan to compare. */
const NO_PLAN = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START|SET|SHOW|DEALLOCATE|SELECT set_config\(|SELECT pg_advisory)/i;

/**
 * Runs `fn` and returns every statement it sent through node-postgres, as sent: an observer on
 * `Client.prototype.query` that calls through, so the database answers every statement as usual.
 */
export async function statementsSentBy(fn: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') sent.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (first && typeof (first as SentStatement).text === 'string') sent.push({ text: (first as SentStatement).text, values: (first as SentStatement).values ?? [] });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent.filter((s) => !NO_PLAN.test(s.text));
}

interface PlanNode {
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** The clauses joined by AND at the top level of a condition, each without its outer parentheses. */
export function topLevelClauses(condition: string): string[] {
  const unwrap = (s: string): string => {
    let text = s.trim();
    while (text.startsWith('(') && closingOf(text, 0) === text.length - 1) text = text.slice(1, -1).trim();
    return text;
  };
  const text = unwrap(condition);
  const clauses: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === "'") i = text.indexOf("'", i + 1);
    else if (depth === 0 && text.startsWith(' AND ', i)) {
      clauses.push(unwrap(text.slice(start, i)));
      start = i + 5;
    }
  }
  clauses.push(unwrap(text.slice(start)));
  return clauses;
}

function closingOf(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
    else if (text[i] === "'") i = text.indexOf("'", i + 1);
  }
  return -1;
}

/**
 * What each index condition of a plan constrains, as `table: key`: the left side of each of its clauses
 * (an index column, or an expression the index is on). The values compared with differ from plan to plan;
 * what is constrained through an index does not.
 */
export function indexedKeys(plan: PlanNode, tableOf: ReadonlyMap<string, string>): Set<string> {
  const keys = new Set<string>();
  const visit = (node: PlanNode) => {
    if (node['Index Name'] && node['Index Cond']) {
      for (const clause of topLevelClauses(node['Index Cond'])) {
        const left = /^(.+?) (?:= ANY|[=<>~!@%&|]+) /.exec(clause)?.[1] ?? clause;
        keys.add(`${tableOf.get(node['Index Name']) ?? node['Index Name']}: ${left}`);
      }
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return keys;
}

/** A connection to plan on: node-postgres' client, or the engine's own connection, which is one. */
export interface Planner {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  escapeLiteral(text: string): string;
}

const prepareValue = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils.prepareValue;

/**
 * The plan `planner` makes for a statement, with every scan that can use an index using one
 * (`enable_seqscan` off, so a small table is planned as a large one would be), in a transaction rolled
 * back after it: in the row scope `scope` if given, and `custom` (planned for these values) or
 * `generic` (the prepared statement's plan for any values).
 */
export async function planFor(planner: Planner, statement: SentStatement, { scope, mode }: { scope?: string; mode: 'custom' | 'generic' }): Promise<PlanNode> {
  const literals = statement.values.map((v) => (v === null || v === undefined ? 'NULL' : planner.escapeLiteral(String(prepareValue(v)))));
  // A name of its own each time: a statement left prepared by a failed EXPLAIN is never reused.
  const name = `fsdb_compare_${++prepared}`;
  await planner.query('BEGIN');
  try {
    if (scope !== undefined) await planner.query("SELECT set_config('foodsave.user_id', $1, true)", [scope]);
    await planner.query(`SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_${mode}_plan`);
    await planner.query(`PREPARE ${name} AS ${statement.text}`);
    const args = literals.length > 0 ? `(${literals.join(', ')})` : '';
    const { rows } = await planner.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}${args}`);
    // In the transaction, so a transaction-mode pooler runs it on the connection that prepared it.
    await planner.query(`DEALLOCATE ${name}`);
    return (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
  } finally {
    await planner.query('ROLLBACK');
  }
}

let prepared = 0;
