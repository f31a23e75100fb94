import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createEngine, createFoodsave, ValidationError, withRowScope, type Engine, type Foodsave } from '../src/index.js';
import { execute } from '../src/engine/execute.js';
import { makeUser, unique } from './support/fixtures.js';
import { tbl, useTestDatabase, withRawClient } from './support/test-database.js';

const t = useTestDatabase({ label: 'row_security' });
const roles = inject('testRoles');
if (!roles) console.log('[row-level-security] skipped: the test server gave no least-privilege roles (see the run header for why)');

/** Every table that holds a user's rows. */
const OWNED = ['users', 'conversations', 'messages', 'receipts', 'receipt_items', 'pantry_items', 'pantry_events', 'meal_plans', 'meal_plan_items', 'product_matches'];
const CATALOGUE = ['products', 'categories', 'recipes', 'recipe_ingredients', 'recipe_categories'];

let db: Foodsave;
let alice: string;
let bob: string;
let bobConversation: string;
let productId: string;
/** Each owned table's rows of Alice alone, counted by the superuser (who bypasses the policies). */
let aliceCounts: Record<string, number>;

async function seed(userId: string): Promise<string> {
  const me = db.forUser(userId);
  const product = await db.catalog.products.create({ name: `Milk ${unique('p')}` });
  productId = product.id;
  const recipe = await db.catalog.recipes.createWithIngredients({ title: `Porridge ${unique('r')}`, servings: 1 }, [{ productId: product.id, quantity: '200', unit: 'ml' }]);
  const conversation = await me.conversations.create({ sessionId: unique('s') });
  await me.conversations.addMessage(conversation.id, { content: 'hello', role: 'user' });
  const receipt = await me.receipts.createWithItems({ totalAmount: '1.20', purchaseDate: '2026-11-20', storeName: 'Lidl' }, [
    { productName: 'MILK 1L', productId: product.id, quantity: '1', unit: 'l', totalPrice: '1.20' },
  ]);
  await me.receipts.acceptMatch(receipt.items[0]!.id, product.id);
  await me.ledger.addItem({ productId: product.id, quantity: '1000', unit: 'ml', expiryDate: '2026-11-30' });
  const plan = await me.mealPlans.create({ planDate: '2026-11-28', recipeId: recipe.id });
  await me.mealPlans.addItem(plan.id, { productId: product.id, quantity: '1', unit: 'l' });
  return conversation.id;
}

async function counts(client: pg.Client, tables: readonly string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) result[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${tbl(table)}`)).rows[0]!.n);
  return result;
}

async function scoped<T>(client: pg.Client, scope: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT set_config('foodsave.user_id', $1, true)", [scope]);
    return await work();
  } finally {
    await client.query('ROLLBACK');
  }
}

describe.skipIf(!roles)('row-level security', () => {
  beforeAll(async () => {
    db = createFoodsave(t.engine);
    alice = (await makeUser(db, 'alice')).id;
    bob = (await makeUser(db, 'bob')).id;
    await seed(alice);
    bobConversation = await seed(bob);
    aliceCounts = await withRawClient(t.url, async (c) => {
      const result: Record<string, number> = {};
      for (const table of OWNED) {
        const owner = table === 'users' ? 'x.id' : 'x.user_id';
        const parent: Record<string, string> = {
          messages: `JOIN ${tbl('conversations')} x ON x.id = m.conversation_id`,
          receipt_items: `JOIN ${tbl('receipts')} x ON x.id = m.receipt_id`,
          meal_plan_items: `JOIN ${tbl('meal_plans')} x ON x.id = m.meal_plan_id`,
        };
        const from = parent[table] ? `${tbl(table)} m ${parent[table]}` : `${tbl(table)} x`;
        result[table] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${from} WHERE ${owner} = $1`, [alice])).rows[0]!.n);
      }
      return result;
    });
  });

  it('is enabled and forced on every table of the library', async () => {
    const rows = await withRawClient(t.url, async (c) =>
      (
        await c.query<{ relname: string; on: boolean; forced: boolean }>(
          `SELECT relname, relrowsecurity AS on, relforcerowsecurity AS forced FROM pg_class WHERE oid = ANY($1::regclass[])`,
          [[...OWNED, ...CATALOGUE].map((table) => tbl(table))],
        )
      ).rows,
    );
    expect(rows).toHaveLength(OWNED.length + CATALOGUE.length);
    for (const row of rows) expect(row, row.relname).toMatchObject({ on: true, forced: true });
  });

  it('runs the library as a role that is neither the owner nor exempt from the policies', async () => {
    const role = await withRawClient(t.appUrl, async (c) =>
      (
        await c.query<{ me: string; bypass: boolean; owner: string }>(
          `SELECT current_user AS me, r.rolbypassrls AS bypass, pg_get_userbyid(c.relowner) AS owner
             FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = $1::regclass`,
          [tbl('pantry_items')],
        )
      ).rows[0]!,
    );
    expect(role).toEqual({ me: roles!.app.user, bypass: false, owner: roles!.owner.user });
  });

  it('shows hand-written SQL without a scope no user rows, and the shared catalogue', async () => {
    for (const url of [t.appUrl, t.migrationUrl]) {
      const seen = await withRawClient(url, (c) => counts(c, [...OWNED, 'products', 'recipes', 'recipe_ingredients']));
      for (const table of OWNED) expect(seen[table], `${table} as ${new URL(url).username}`).toBe(0);
      expect(seen.products).toBeGreaterThan(0);
      expect(seen.recipe_ingredients).toBeGreaterThan(0);
    }
  });

  it("shows a user's scope exactly that user's rows, in every owned table", async () => {
    const seen = await withRawClient(t.appUrl, (c) => scoped(c, alice, () => counts(c, OWNED)));
    expect(seen).toEqual(aliceCounts);
    for (const table of OWNED) expect(seen[table], table).toBeGreaterThan(0);
  });

  it("refuses writes in another user's name, and into another user's conversation", async () => {
    await withRawClient(t.appUrl, async (c) => {
      const insertFor = (owner: string) => c.query(`INSERT INTO ${tbl('conversations')} (user_id, session_id) VALUES ($1, $2)`, [owner, unique('x')]);
      await expect(scoped(c, alice, () => insertFor(bob))).rejects.toMatchObject({ code: '42501' });
      await expect(insertFor(alice)).rejects.toMatchObject({ code: '42501' }); // no scope at all
      await expect(
        scoped(c, alice, () => c.query(`INSERT INTO ${tbl('messages')} (conversation_id, content, role) VALUES ($1, 'hi', 'user')`, [bobConversation])),
      ).rejects.toMatchObject({ code: '42501' });
      const updated = await scoped(c, alice, () => c.query(`UPDATE ${tbl('pantry_items')} SET notes = 'mine' WHERE user_id = $1`, [bob]));
      expect(updated.rowCount).toBe(0);
      // Moving one's own row to another user is a write in their name too.
      await expect(scoped(c, alice, () => c.query(`UPDATE ${tbl('pantry_items')} SET user_id = $1 WHERE user_id = $2`, [bob, alice]))).rejects.toMatchObject({
        code: '42501',
      });
    });
  });

  it('lets only the back-office scope write the shared catalogue', async () => {
    await withRawClient(t.appUrl, async (c) => {
      const insert = () => c.query(`INSERT INTO ${tbl('products')} (name) VALUES ($1) RETURNING id`, [unique('Flour')]);
      await expect(scoped(c, alice, insert)).rejects.toMatchObject({ code: '42501' });
      await expect(insert()).rejects.toMatchObject({ code: '42501' });
      const renamed = await scoped(c, alice, () => c.query(`UPDATE ${tbl('products')} SET name = 'x' WHERE id = $1`, [productId]));
      expect(renamed.rowCount).toBe(0);
      expect((await scoped(c, '*', insert)).rowCount).toBe(1);
    });
    await expect(db.catalog.products.create({ name: unique('Oats') })).resolves.toMatchObject({ name: expect.any(String) });
  });

  it('sets the scope in the statement’s own round trip, and leaves none on the connection after it', async () => {
    const engine = createEngine({ env: {}, schema: t.engine.settings.schema, poolSize: 1, maxOverflow: 0, url: t.appUrl });
    try {
      const manager = engine.sequelize.connectionManager as unknown as {
        getConnection(): Promise<pg.Client & { connection: { on(e: string, f: () => void): void } }>;
        releaseConnection(c: unknown): Promise<void>;
      };
      const connection = await manager.getConnection();
      await manager.releaseConnection(connection);
      let roundTrips = 0;
      connection.connection.on('readyForQuery', () => roundTrips++);
      const me = createFoodsave(engine).forUser(alice);
      expect((await me.pantry.list()).length).toBe(aliceCounts.pantry_items);
      expect(roundTrips).toBe(1);
      expect(await me.conversations.getRecentConversations(1, 5)).toHaveLength(aliceCounts.conversations!);
      expect(roundTrips).toBe(2);
      // The same (only) connection, after the scoped calls: nothing of Alice's is left in force.
      const [after] = (await engine.sequelize.query(
        `SELECT (SELECT count(*) FROM ${tbl('pantry_items')})::int AS n, coalesce(current_setting('foodsave.user_id', true), '') AS scope`,
        { type: 'SELECT' },
      )) as { n: number; scope: string }[];
      expect(after).toEqual({ n: 0, scope: '' });
    } finally {
      await engine.close();
    }
  });

  it("keeps each statement's own scope when scopes share one transaction", async () => {
    const { withTransaction } = await import('../src/index.js');
    const seen = await withTransaction(t.engine, async (transaction) => {
      const mine = await db.forUser(alice).pantry.list({}, { transaction });
      const theirs = await db.forUser(bob).pantry.list({}, { transaction });
      const everyone = await db.admin.pantryItems.getMulti(0, 100, { transaction });
      return [mine, theirs, everyone].map((rows) => new Set(rows.map((r) => r.userId)));
    });
    expect(seen).toEqual([new Set([alice]), new Set([bob]), new Set([alice, bob])]);
  });

  it("puts back the caller's scope after each library statement inside the caller's transaction", async () => {
    const model = t.engine.models.PantryItem;
    const seen = await withRowScope(t.engine, { userId: alice }, async (transaction) => {
      await db.catalog.products.findByName('Milk', 5, { transaction }); // the back-office scope, for one statement
      await db.forUser(bob).pantry.list({}, { transaction });
      const owners = new Set((await model.findAll({ transaction })).map((r) => r.userId));
      const [[{ scope }]] = (await t.engine.sequelize.query("SELECT current_setting('foodsave.user_id', true) AS scope", { transaction })) as unknown as [[{ scope: string }]];
      return { owners, scope };
    });
    expect(seen).toEqual({ owners: new Set([alice]), scope: alice });
    const { withTransaction } = await import('../src/index.js');
    const unscoped = await withTransaction(t.engine, async (transaction) => {
      await db.admin.pantryItems.getMulti(0, 10, { transaction });
      return model.count({ transaction });
    });
    expect(unscoped).toBe(0);
  });

  it('fails a value pg cannot send before a byte is written: nothing runs, and the connection stays usable', async () => {
    const engine = createEngine({ env: {}, schema: t.engine.settings.schema, poolSize: 1, maxOverflow: 0, url: t.appUrl });
    const marker = unique('never');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    try {
      const insert = { text: `INSERT INTO ${tbl('products')} (name) VALUES ($1)`, values: [marker] };
      await expect(execute(engine, 'SELECT $1::jsonb AS v', [cyclic], { rowScope: '*', preludes: [insert] })).rejects.toThrow(/circular/i);
      await expect(execute(engine, 'SELECT $1::jsonb AS v', [{}], { rowScope: '*', preludes: [{ ...insert, values: [cyclic] }] })).rejects.toThrow(/circular/i);
      expect((await execute(engine, 'SELECT 1 AS one', [], { rowScope: '*' })).rows).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
    expect(await withRawClient(t.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${tbl('products')} WHERE name = $1`, [marker])).rows[0].n)).toBe(0);
  });

  it("opens a user's rows, or every user's, to the models and hand-written SQL with withRowScope", async () => {
    const engine: Engine = t.engine;
    const model = engine.models.PantryItem;
    expect(await model.findAll()).toEqual([]);
    const mine = await withRowScope(engine, { userId: alice }, (transaction) => model.findAll({ transaction }));
    expect(mine.map((r) => r.userId)).toEqual(Array(aliceCounts.pantry_items!).fill(alice));
    const all = await withRowScope(engine, 'all', (transaction) => model.count({ transaction }));
    expect(all).toBe(mine.length * 2);
    await expect(withRowScope(engine, { userId: 'nobody' }, async () => 1)).rejects.toBeInstanceOf(ValidationError);
  });
});
