import { beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, type QueryEvent } from '../src/index.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'plans' });
const USERS = 10_000;
const PANTRY_ROWS = 1_000_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Runs `fn`, captures the one statement it sends, and returns that statement's plan for the same values. */
async function planOf(fn: () => Promise<unknown>, values: unknown[]): Promise<PlanNode[]> {
  const seen: QueryEvent[] = [];
  const listener = (e: QueryEvent) => seen.push(e);
  t.engine.events.on('query', listener);
  await fn();
  t.engine.events.off('query', listener);
  expect(seen).toHaveLength(1);
  const client = await (t.engine.sequelize.connectionManager as unknown as { getConnection(): Promise<{ query(q: string, v: unknown[]): Promise<{ rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[] }> }> }).getConnection();
  try {
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${seen[0]!.sql}`, values);
    return nodes(rows[0]!['QUERY PLAN'][0]!.Plan);
  } finally {
    (t.engine.sequelize.connectionManager as unknown as { releaseConnection(c: unknown): void }).releaseConnection(client);
  }
}

beforeAll(async () => {
  // 1M pantry lots over 10k users, as in the benchmark: generated in SQL, so loading takes seconds.
  await t.engine.sequelize.query(`
    INSERT INTO users (id, username, email)
      SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'u' || g, 'u' || g || '@x.io'
        FROM generate_series(1, ${USERS}) g;
    INSERT INTO products (id, name) VALUES ('00000000-0000-4000-9000-000000000001', 'Bulk');
    INSERT INTO pantry_items (user_id, product_id, quantity, unit, expiry_date)
      SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + g % ${USERS}), 12, '0'))::uuid,
             '00000000-0000-4000-9000-000000000001', 1, 'pcs', DATE '2026-11-26' + (g % 120) - 30
        FROM generate_series(1, ${PANTRY_ROWS}) g;
    ANALYZE;`);
}, 300_000);

describe('hot queries at 1M pantry rows', () => {
  const userId = '00000000-0000-4000-8000-000000000042';

  it('pantry items expiring within 3 days: an index scan on (user_id, expiry_date), no Sort', async () => {
    const repos = createRepositories(t.engine);
    const plan = await planOf(() => repos.pantryItems.getExpiringWithin(userId, 3, { asOf: '2026-11-26' }), [userId, 3, '2026-11-26']);
    const types = plan.map((n) => n['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Seq Scan');
    expect(plan.some((n) => n['Index Name'] === 'idx_pantry_items_user_expiry')).toBe(true);
    expect((await repos.pantryItems.getExpiringWithin(userId, 3, { asOf: '2026-11-26' })).length).toBeGreaterThan(0);
  });

  it("a user's pantry in expiry order: same index, no Sort", async () => {
    const repos = createRepositories(t.engine);
    const plan = await planOf(() => repos.pantryItems.getUserItems(userId, { expiringBy: '2026-12-31' }), [userId, '2026-12-31']);
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.some((n) => n['Index Name'] === 'idx_pantry_items_user_expiry')).toBe(true);
  });
});
