import pg from 'pg';
import { SET_SCOPE } from '../../src/engine/scoped-query.js';

/**
 * A statement as a client sent it: its text and its values, before pg converts them, and the row
 * scope (`foodsave.user_id`) it ran in, if one was set.
 */
export interface SentStatement {
  text: string;
  values: readonly unknown[];
  scope: string | undefined;
}

/** A node of an EXPLAIN (FORMAT JSON) plan, as far as these tests read it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** Transaction control and settings, which have no plan to compare. */
const NO_PLAN = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START|SET|SHOW|DEALLOCATE|SELECT set_config\(|SELECT pg_advisory)/i;
const ENDS_TRANSACTION = /^\s*(COMMIT|ROLLBACK)\s*$/i;

/** The parts of the engine's one-round-trip query (src/engine/scoped-query.ts) that say what it ran. */
interface BatchedQuery {
  text: string;
  values?: readonly unknown[];
  /** The statements sent ahead of it in the same batch: the scope's setting, then any preludes. */
  before?: readonly { text: string; values: readonly unknown[] }[];
}

/**
 * Runs `fn` and returns the statements it sent through node-postgres that have a plan, each with the
 * scope it ran in: an observer on `Client.prototype.query` that calls through, so the database answers
 * every statement as usual. A batch of the engine's is read whole (its scope setting, its preludes and
 * its statement); a scope set by a statement of its own lasts until its transaction ends.
 */
export async function statementsSentBy(fn: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const scopes = new WeakMap<object, string | undefined>();
  const record = (client: object, text: string, values: readonly unknown[]) => {
    if (text === SET_SCOPE) scopes.set(client, String(values[0]));
    else if (ENDS_TRANSACTION.test(text)) scopes.delete(client);
    else if (!NO_PLAN.test(text)) sent.push({ text, values, scope: scopes.get(client) });
  };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') record(this, first, Array.isArray(second) ? second : []);
    else if (first && typeof (first as BatchedQuery).text === 'string') {
      const batch = first as BatchedQuery;
      const outer = scopes.get(this);
      for (const part of batch.before ?? []) record(this, part.text, part.values);
      record(this, batch.text, batch.values ?? []);
      // A batch's own setting ends with it (its Sync, or its restore inside a transaction).
      if (batch.before?.some((part) => part.text === SET_SCOPE)) scopes.set(this, outer);
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

/** The index of the parenthesis closing the one at `open`, skipping quoted literals; -1 if none. */
function closingOf(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "'") i = afterLiteral(text, i);
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Where the literal opened at `quote` ends (`''` inside it is a quote); the text's end if it does not. */
function afterLiteral(text: string, quote: number): number {
  let i = quote + 1;
  while (i < text.length) {
    if (text[i] === "'" && text[i + 1] === "'") i += 2;
    else if (text[i] === "'") return i;
    else i++;
  }
  return text.length;
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
    if (text[i] === "'") i = afterLiteral(text, i);
    else if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && text.startsWith(' AND ', i)) {
      clauses.push(unwrap(text.slice(start, i)));
      start = i + 5;
    }
  }
  clauses.push(unwrap(text.slice(start)));
  return clauses;
}

/** Equality, a lower bound or an upper bound: what a clause does to an index scan's range. */
function boundOf(operator: string): string {
  if (operator === '=' || operator === '= ANY') return '=';
  if (operator.startsWith('<')) return '<';
  if (operator.startsWith('>')) return '>';
  return operator;
}

/**
 * What each scan's index condition constrains, counted: `table alias: key bound`, for each clause the
 * key (an index column, or an expression the index is on) and whether it fixes it, or bounds it from
 * below or above. The values compared with differ from plan to plan; what is constrained through an
 * index does not. A bitmap index scan is counted for the heap scan it feeds.
 */
export function indexedKeys(plan: PlanNode, tableOf: ReadonlyMap<string, string>): Map<string, number> {
  const keys = new Map<string, number>();
  const visit = (node: PlanNode, parentAlias: string | undefined) => {
    const alias = node.Alias ?? parentAlias ?? '';
    if (node['Index Name'] && node['Index Cond']) {
      const table = tableOf.get(node['Index Name']) ?? node['Index Name'];
      for (const clause of topLevelClauses(node['Index Cond'])) {
        const match = /^(.+?) (= ANY|[=<>~!@%&|]+) /.exec(clause);
        const key = `${table} ${alias}: ${match ? `${match[1]} ${boundOf(match[2]!)}` : clause}`;
        keys.set(key, (keys.get(key) ?? 0) + 1);
      }
    }
    for (const child of node.Plans ?? []) visit(child, node['Node Type'] === 'Bitmap Heap Scan' ? node.Alias : undefined);
  };
  visit(plan, undefined);
  return keys;
}

/** A connection to plan on: node-postgres' client, or the engine's own connection, which is one. */
export interface Planner {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  escapeLiteral(text: string): string;
}

/** pg's own conversion of a value to a parameter's text (dates, arrays, JSON). */
const prepareValue = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils.prepareValue;

/** `values` as SQL literals, for `EXECUTE name(…)`: each as pg would send it as a parameter. */
export function literalsOf(planner: Pick<Planner, 'escapeLiteral'>, values: readonly unknown[]): string[] {
  return values.map((v) => (v === null || v === undefined ? 'NULL' : planner.escapeLiteral(String(prepareValue(v)))));
}

let prepared = 0;

/**
 * The plan `planner` makes for a statement, in a transaction rolled back after it: in the statement's
 * row scope, with every scan that can use an index using one (`enable_seqscan` off, so a small table
 * is planned as a large one would be), and `custom` (planned for these values) or `generic` (the
 * prepared statement's plan for any values).
 */
export async function planFor(planner: Planner, statement: SentStatement, { asRole, mode }: { asRole: boolean; mode: 'custom' | 'generic' }): Promise<PlanNode> {
  const literals = literalsOf(planner, statement.values);
  // A name of its own each time: a statement left prepared by a failed EXPLAIN is never reused.
  const name = `fsdb_compare_${++prepared}`;
  await planner.query('BEGIN');
  try {
    if (asRole && statement.scope !== undefined) await planner.query(SET_SCOPE, [statement.scope]);
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

/** Each `table alias: key bound` that `theirs` constrains through an index more often than `ours` does. */
export function lostKeys(theirs: ReadonlyMap<string, number>, ours: ReadonlyMap<string, number>): string[] {
  return [...theirs].filter(([key, count]) => (ours.get(key) ?? 0) < count).map(([key]) => key);
}
