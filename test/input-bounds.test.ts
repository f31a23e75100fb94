import { describe, expect, it } from 'vitest';
import { createFoodsave, ValidationError } from '../src/index.js';
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
});
