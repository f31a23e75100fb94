import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFoodsave, type Foodsave, type UserDataExport, type UserScope } from '../src/index.js';
import { OWNERSHIP, SHARED_TABLES, tablesOf, type TableName } from '../src/db/table-metadata.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase, testSchema, rawUrl } from './support/test-database.js';

const t = useTestDatabase({ label: 'export' });
let client: pg.Client;
let db: Foodsave;

beforeAll(async () => {
  client = new pg.Client({ connectionString: rawUrl(t.url) });
  await client.connect();
  db = createFoodsave(t.engine);
});
afterAll(async () => {
  await client.end();
});

async function rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  return (await client.query<R>(text, values)).rows;
}

/** The schema as PostgreSQL reports it after every migration: table → its columns. */
async function liveSchema(): Promise<Map<string, string[]>> {
  const cols = await rows<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = '${testSchema}' AND table_name NOT IN ('foodsave_db_migrations', 'foodsave_category_tree_version', 'foodsave_recipe_catalogue_version') ORDER BY table_name, ordinal_position`,
  );
  const schema = new Map<string, string[]>();
  for (const c of cols) schema.set(c.table_name, [...(schema.get(c.table_name) ?? []), c.column_name]);
  return schema;
}

/** Foreign keys as PostgreSQL reports them: table.column → referenced table. */
async function foreignKeys(): Promise<{ table: string; column: string; references: string }[]> {
  return rows(
    `SELECT tc.table_name AS table, kcu.column_name AS column, ccu.table_name AS references
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
       JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = '${testSchema}'`,
  );
}

const byDbName = () => {
  const tables = tablesOf(t.engine.models);
  return new Map((Object.keys(tables) as TableName[]).map((key) => [tables[key].name, key]));
};

describe('the table metadata is the schema', () => {
  it('knows every table and every column that the migrations create, and no other', async () => {
    const live = await liveSchema();
    const tables = tablesOf(t.engine.models);
    const known = new Map(Object.values(tables).map((m) => [m.name, m.columns.map((c) => c.column)]));
    expect([...known.keys()].sort()).toEqual([...live.keys()].sort());
    for (const [table, columns] of live) expect([...known.get(table)!].sort(), table).toEqual([...columns].sort());
  });

  it('classes every table as owned by a user or shared, and every table holding user data is owned', async () => {
    const names = byDbName();
    const owned = new Set<string>(Object.keys(OWNERSHIP));
    const shared = new Set<string>(SHARED_TABLES);
    for (const key of names.values()) expect(owned.has(key) !== shared.has(key), `${key} is owned xor shared`).toBe(true);

    // Independently of the map: a table with a user_id column, or a foreign key to an owned table, holds
    // user data. Found by a fixpoint over the real foreign keys.
    const live = await liveSchema();
    const fks = await foreignKeys();
    const holdsUserData = new Set<string>(['users', ...[...live].filter(([, cols]) => cols.includes('user_id')).map(([table]) => table)]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const fk of fks) {
        if (holdsUserData.has(fk.references) && !holdsUserData.has(fk.table)) {
          holdsUserData.add(fk.table);
          changed = true;
        }
      }
    }
    expect([...holdsUserData].map((table) => names.get(table)).sort()).toEqual([...owned].sort());
  });
});

describe('exportUserData and deleteUser', () => {
  let me: UserScope;
  let doc: UserDataExport;

  beforeAll(async () => {
    const user = await makeUser(db, 'exported');
    me = db.forUser(user.id);
    const other = db.forUser((await makeUser(db, 'other')).id);
    const product = await db.catalog.products.create({ name: `Milk ${unique('p')}` });
    // Data in every owned table, for this user and for another one.
    for (const scope of [me, other]) {
      const conversation = await scope.conversations.create({ sessionId: unique('s') });
      await scope.conversations.addMessage(conversation.id, { content: 'hello', role: 'user' });
      const receipt = await scope.receipts.createWithItems({ storeName: 'Lidl', purchaseDate: '2026-11-20', conversationId: conversation.id }, [
        { productName: 'MILK 1L', quantity: '2', unit: 'l', totalPrice: '3.98' },
      ]);
      await scope.receipts.acceptMatch(receipt.items[0]!.id, product.id);
      await scope.ledger.stockFromReceipt(receipt.id);
      await scope.ledger.addItem({ productId: product.id, quantity: '1', unit: 'l' });
      const plan = await scope.mealPlans.create({ planDate: '2026-11-27' });
      await scope.mealPlans.addItem(plan.id, { productId: product.id, quantity: '1', unit: 'l' });
    }
    doc = (await me.account.exportData())!;
  });

  it('holds every row the user owns, in every owned table, and nothing else', async () => {
    const tables = tablesOf(t.engine.models);
    const owned = Object.keys(OWNERSHIP).filter((k) => k !== 'users') as (keyof typeof OWNERSHIP)[];
    expect(Object.keys(doc).sort()).toEqual(['exportedAt', 'user', ...owned].sort());
    expect(doc.user.id).toBe(me.userId);
    for (const key of owned) {
      const meta = tables[key];
      const rule = OWNERSHIP[key] as { column?: string; parent?: keyof typeof OWNERSHIP; via?: string };
      // Counted with hand-written SQL over the real foreign keys, not with the library's own query.
      const condition = rule.column
        ? `${rule.column} = $1`
        : `${rule.via} IN (SELECT id FROM ${tables[rule.parent!].name} WHERE user_id = $1)`;
      const [{ count }] = (await rows<{ count: number }>(`SELECT count(*)::int AS count FROM ${meta.name} WHERE ${condition}`, [me.userId])) as [
        { count: number },
      ];
      const exported = (doc as unknown as Record<string, unknown[]>)[key] ?? [];
      expect(count, key).toBeGreaterThan(0);
      expect(exported.length, key).toBe(count);
      // Every column of the table is in every exported row.
      for (const row of exported) expect(Object.keys(row as object).sort(), key).toEqual(meta.columns.map((c) => c.attribute).sort());
    }
    expect(JSON.stringify(doc)).toContain('"quantity":"2.000"');
  });

  it('exportDataPages gives the same rows in pages of at most pageSize, table by table, in key order', async () => {
    // More rows than one page in one table, so the keyset paging is exercised.
    const conversation = await me.conversations.create({ sessionId: unique('paged') });
    for (let i = 0; i < 7; i++) await me.conversations.addMessage(conversation.id, { content: `page ${i}`, role: 'user' });
    const whole = (await me.account.exportData())!;
    const collected: Record<string, unknown[]> = {};
    for await (const page of me.account.exportDataPages({ pageSize: 3 })) {
      expect(page.rows.length).toBeGreaterThan(0);
      expect(page.rows.length).toBeLessThanOrEqual(3);
      (collected[page.table] ??= []).push(...page.rows);
    }
    expect(collected.users).toEqual([whole.user]);
    for (const key of Object.keys(OWNERSHIP).filter((k) => k !== 'users')) {
      expect(collected[key] ?? [], key).toEqual((whole as unknown as Record<string, unknown[]>)[key]);
    }
    expect(collected.messages!.length).toBeGreaterThan(6);
    const missing = [];
    for await (const page of db.forUser('00000000-0000-4000-8000-000000000000').account.exportDataPages()) missing.push(page);
    expect(missing).toEqual([]);
    await expect(me.account.exportDataPages({ pageSize: 5000 }).next()).rejects.toThrow(/pageSize: must be at most 1000/);
  });

  it('deleteUser leaves none of those rows anywhere, and the other user keeps theirs', async () => {
    const tables = tablesOf(t.engine.models);
    const otherCounts = await rows<{ n: number }>('SELECT count(*)::int AS n FROM pantry_events WHERE user_id <> $1', [me.userId]);
    expect(await me.account.delete()).toBe(true);
    for (const key of Object.keys(OWNERSHIP) as (keyof typeof OWNERSHIP)[]) {
      const meta = tables[key];
      const exported = key === 'users' ? [doc.user] : ((doc as unknown as Record<string, unknown[]>)[key] ?? []);
      const pk = meta.primaryKey;
      for (const row of exported as Record<string, unknown>[]) {
        const attrs = pk.map((column) => meta.columns.find((c) => c.column === column)!.attribute);
        const where = pk.map((column, i) => `${column} = $${i + 1}`).join(' AND ');
        const left = await rows(`SELECT 1 FROM ${meta.name} WHERE ${where}`, attrs.map((a) => row[a]));
        expect(left, `${key} row left behind`).toEqual([]);
      }
    }
    expect(await rows('SELECT 1 FROM pantry_events WHERE user_id = $1', [me.userId])).toEqual([]);
    expect(await rows<{ n: number }>('SELECT count(*)::int AS n FROM pantry_events WHERE user_id <> $1', [me.userId])).toEqual(otherCounts);
    expect(await me.account.exportData()).toBeNull();
  });
});
