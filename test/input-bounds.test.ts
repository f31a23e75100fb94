import { describe, expect, it } from 'vitest';
import { createEngine, createFoodsave, ValidationError } from '../src/index.js';
import { INPUT_BOUNDS } from '../src/db/schemas/common.js';
import { makeUser, unique } from './support/fixtures.js';
import { rawQuery, useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'bounds' });

/** Every user-data and catalogue table's row count: a refused call must leave all of them as they were. */
async function rowCounts(): Promise<Record<string, number>> {
  const rows = await rawQuery<{ t: string; n: number }>(
    t.url,
    `SELECT 'users' AS t, count(*)::int AS n FROM users UNION ALL SELECT 'conversations', count(*)::int FROM conversations
     UNION ALL SELECT 'messages', count(*)::int FROM messages UNION ALL SELECT 'products', count(*)::int FROM products
     UNION ALL SELECT 'recipes', count(*)::int FROM recipes UNION ALL SELECT 'pantry_items', count(*)::int FROM pantry_items`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

/** Runs `call`, expects a ValidationError naming `field` with `bound` in its message, and no write. */
async function refused(call: () => Promise<unknown>, field: string, bound: RegExp): Promise<void> {
  const before = await rowCounts();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${field} was accepted`).toBeInstanceOf(ValidationError);
  const issue = (error as ValidationError).issues.find((i) => i.path.join('.') === field);
  expect(issue, `${field} not named in ${JSON.stringify((error as ValidationError).issues)}`).toBeDefined();
  expect(issue!.message).toMatch(bound);
  // Messages quote no input: a megabyte in gives a short message out.
  expect((error as Error).message.length).toBeLessThan(500);
  expect(await rowCounts()).toEqual(before);
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { down: value };
  return value;
}

describe('every input has a bound, and a call over it is refused before any statement', () => {
  it('free text: message content, notes, descriptions, instructions', async () => {
    const db = createFoodsave(t.engine);
    const me = db.forUser((await makeUser(db)).id);
    const conversation = await me.conversations.create({ sessionId: unique('s') });
    await refused(() => me.conversations.addMessage(conversation.id, { content: 'x'.repeat(INPUT_BOUNDS.messageChars + 1), role: 'user' }), 'content', /at most 100000 characters/);
    expect(await me.conversations.addMessage(conversation.id, { content: 'x'.repeat(INPUT_BOUNDS.messageChars), role: 'user' })).toMatchObject({ role: 'user' });
    await refused(() => db.catalog.recipes.create({ title: 'Long', instructions: 'y'.repeat(50_001) }), 'instructions', /at most 50000/);
    await refused(() => db.catalog.recipes.create({ title: 'Long', description: 'y'.repeat(10_001) }), 'description', /at most 10000/);
    await refused(() => db.catalog.categories.create({ name: 'Long', description: 'z'.repeat(10_001) }), 'description', /at most 10000/);
  });

  it('JSON: size and depth, with a 100,000-deep value refused without a stack overflow', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    await refused(() => db.admin.conversations.create({ userId: user.id, sessionId: unique('j'), metadata: { blob: 'b'.repeat(70_000) } }), 'metadata', /at most 65536 characters as JSON/);
    await refused(() => db.admin.conversations.create({ userId: user.id, sessionId: unique('j'), metadata: nested(21) }), 'metadata', /at most 20 levels/);
    await refused(() => db.admin.conversations.create({ userId: user.id, sessionId: unique('j'), metadata: nested(100_000) }), 'metadata', /at most 20 levels/);
    expect(await db.admin.conversations.create({ userId: user.id, sessionId: unique('j'), metadata: nested(20) })).toMatchObject({ userId: user.id });
  });

  it('numbers: integers past their column or any sense are refused by name', async () => {
    const db = createFoodsave(t.engine);
    const me = db.forUser((await makeUser(db)).id);
    const flour = await db.catalog.products.create({ name: unique('Flour') });
    // A megabyte of a malformed decimal: the message quotes 40 characters of it (checked in refused()).
    await refused(() => me.ledger.addItem({ productId: flour.id, quantity: `${'1'.repeat(1_000_000)}x`, unit: 'g' }), 'quantity', /decimal number/);
    await refused(() => db.catalog.recipes.create({ title: 'Feast', servings: 1e21 }), 'servings', /whole number|at most 1000/);
    await refused(() => db.catalog.recipes.create({ title: 'Feast', servings: 2 ** 31 }), 'servings', /at most 1000/);
    await refused(() => db.catalog.recipes.create({ title: 'Slow', cookingTime: 2 ** 31 }), 'cookingTime', /at most 10080/);
  });

  it('dates: year 0000 and impossible days are refused, and a range spans at most 3660 days', async () => {
    const db = createFoodsave(t.engine);
    const me = db.forUser((await makeUser(db)).id);
    await refused(() => me.mealPlans.getShoppingList({ from: '0000-01-01', to: '0000-01-02' }), 'from', /year 1 or later/);
    await refused(() => me.mealPlans.getShoppingList({ from: '2026-02-30', to: '2026-03-01' }), 'from', /YYYY-MM-DD/);
    await refused(() => me.mealPlans.getShoppingList({ from: '1900-01-01', to: '2100-01-01' }), 'to', /at most 3660 days after from/);
    await refused(() => me.ledger.getWasteStats({ from: '2000-01-01', to: '2026-01-01' }), 'to', /at most 3660 days/);
    expect(await me.mealPlans.getShoppingList({ from: '2026-01-01', to: '2035-12-31' })).toMatchObject({ items: [] });
  });

  it('search and look-up texts are bounded, and a non-string is a ValidationError, not a TypeError', async () => {
    const { catalog } = createFoodsave(t.engine);
    await refused(() => catalog.products.search('q'.repeat(INPUT_BOUNDS.searchChars + 1)), 'text', /at most 200 characters/);
    await refused(() => catalog.products.findByName('q'.repeat(100_000)), 'text', /at most 200 characters/);
    await refused(() => catalog.products.findByName(42 as never), 'text', /string/);
    expect(await catalog.products.search('q'.repeat(INPUT_BOUNDS.searchChars))).toEqual([]);
    const db = createFoodsave(t.engine);
    await refused(() => db.admin.users.getByUsername('u'.repeat(51)), 'username', /at most 50/);
    await refused(() => db.admin.users.getByEmail(`${'e'.repeat(300)}@x.io`), 'email', /at most 255/);
    await refused(() => db.admin.conversations.getBySessionId(7 as never), 'sessionId', /string/);
  });

  it("a product's conversions are checked when written, so one bad row cannot break the shared catalogue", async () => {
    const { catalog } = createFoodsave(t.engine);
    const huge = { units: { pcs: { quantity: '9'.repeat(200_000), unit: 'g' } } };
    await refused(() => catalog.products.create({ name: unique('Egg'), storageInfo: huge }), 'storageInfo', /at most 65536 characters as JSON/);
    const wide = { units: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`u${i}`, { quantity: '1', unit: 'g' }])) };
    await refused(() => catalog.products.create({ name: unique('Egg'), storageInfo: wide }), 'storageInfo.units', /at most 50 conversions/);
    await refused(() => catalog.products.create({ name: unique('Egg'), storageInfo: { units: { pcs: { quantity: '1'.repeat(13), unit: 'g' } } } }), 'storageInfo.units.pcs.quantity', /at most 12 digits before the point/);
    const egg = await catalog.products.create({ name: unique('Egg'), storageInfo: { shelfLifeDays: 21, units: { pcs: { quantity: '60', unit: 'g' } } } });
    await refused(() => catalog.products.update(egg.id, { storageInfo: { shelfLifeDays: -1 } }), 'storageInfo.shelfLifeDays', /greater than or equal to 0|>=0/);
  });

  it('a bad conversion written past the checks (raw SQL, an older version) breaks no read for the users holding the product', async () => {
    const db = createFoodsave(t.engine);
    const me = db.forUser((await makeUser(db)).id);
    const flour = await db.catalog.products.create({ name: unique('Flour'), storageInfo: { units: { cup: { quantity: '120', unit: 'g' } } } });
    await db.catalog.recipes.createWithIngredients({ title: unique('Bread'), servings: 1 }, [{ productId: flour.id, quantity: '2', unit: 'cup' }]);
    await me.ledger.addItem({ productId: flour.id, quantity: '1000', unit: 'g', expiryDate: '2026-12-30' });
    const plan = await me.mealPlans.create({ planDate: '2026-12-01' });
    await me.mealPlans.addItem(plan.id, { productId: flour.id, quantity: '1', unit: 'cup' });
    const before = await me.recipes.getCookableRecipes({ asOf: '2026-11-27' });
    expect(before.find((r) => r.recipe.title.startsWith('Bread'))?.missingCount).toBe(0);
    for (const bad of [`{"units": {"cup": {"quantity": "${'9'.repeat(200_000)}", "unit": "g"}}}`, '{"units": {"cup": "lots"}}', '{"units": [1, 2]}', '"text"']) {
      await rawQuery(t.url, 'UPDATE products SET storage_info = $1::jsonb WHERE id = $2', [bad, flour.id]);
      // The conversion is unusable, so cups of flour cannot be matched against grams: never an error.
      const cookable = await me.recipes.getCookableRecipes({ asOf: '2026-11-27' });
      expect(cookable.find((r) => r.recipe.title.startsWith('Bread'))?.missingCount ?? 1).toBe(1);
      await expect(me.mealPlans.getShoppingList({ from: '2026-12-01', to: '2026-12-01' })).resolves.toBeDefined();
      await expect(me.ledger.getUseFirst()).resolves.toBeDefined();
    }
  });
});

describe('a host changes the bounds per engine', () => {
  it('raises and lowers them; a second engine in the same process keeps the defaults', async () => {
    const narrow = createEngine({
      env: {},
      schema: t.engine.settings.schema,
      url: t.appUrl,
      poolSize: 1,
      inputBounds: { messageChars: 10, receiptLines: 2, dateRangeDays: 5, jsonDepth: 3, tags: 1, instructionsChars: 60_000 },
    });
    try {
      expect(narrow.inputBounds).toMatchObject({ messageChars: 10, notesChars: INPUT_BOUNDS.notesChars });
      const db = createFoodsave(narrow);
      const wide = createFoodsave(t.engine);
      const me = db.forUser((await makeUser(wide)).id);
      const chat = await me.conversations.create({ sessionId: unique('s') });
      await refused(() => me.conversations.addMessage(chat.id, { content: 'x'.repeat(11), role: 'user' }), 'content', /at most 10 characters/);
      expect(await me.conversations.addMessage(chat.id, { content: 'x'.repeat(10), role: 'user' })).toMatchObject({ role: 'user' });
      expect(await wide.forUser(chat.userId!).conversations.addMessage(chat.id, { content: 'x'.repeat(11), role: 'user' })).toMatchObject({ role: 'user' });
      const line = { productName: 'Milk', totalPrice: '1.00' };
      await refused(() => me.receipts.createWithItems({}, [line, line, line]), 'items', /at most 2 lines/);
      await refused(() => me.receipts.getSpendingStats({ from: '2026-11-01', to: '2026-11-07' }), 'to', /at most 5 days after from/);
      await refused(() => db.catalog.recipes.create({ title: 'T', tags: ['a', 'b'] }), 'tags', /at most 1 tags/);
      await refused(() => me.conversations.update(chat.id, { metadata: nested(4) }), 'metadata', /at most 3 levels/);
      expect(await db.catalog.recipes.create({ title: unique('Long'), instructions: 'y'.repeat(55_000) })).toMatchObject({ title: expect.any(String) });
      await refused(() => wide.catalog.recipes.create({ title: 'Long', instructions: 'y'.repeat(55_000) }), 'instructions', /at most 50000/);
    } finally {
      await narrow.close();
    }
  });

  it('refuses an unknown bound or a bad value by name, before connecting', () => {
    const make = (inputBounds: unknown) => () => createEngine({ env: {}, url: t.appUrl, inputBounds: inputBounds as never });
    expect(make({ messageChar: 5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', issues: [expect.objectContaining({ variable: 'inputBounds.messageChar' })] }));
    for (const value of [0, -1, 1.5, '10', null, Number.MAX_SAFE_INTEGER + 2]) {
      expect(make({ notesChars: value })).toThrow(/inputBounds.notesChars must be a whole number from 1/);
    }
    expect(make({ jsonDepth: 1001 })).toThrow(/inputBounds.jsonDepth must be a whole number from 1 to 1000/);
    expect(make([])).toThrow(/inputBounds must be an object/);
  });
});
