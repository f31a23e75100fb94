import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createFoodsave, NotFoundError, ValidationError, type Foodsave, type UserScope } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { rawQuery, rawUrl, useTestDatabase } from './support/test-database.js';

/**
 * The whole error contract under generated hostile input (fast-check). Each target is a public call with
 * a valid input; each run replaces one field (or adds one) with a hostile value, or passes hostile
 * options. Every run must end in a correct result, or a ValidationError naming a field with a short
 * message and nothing written, or a NotFoundError / ConflictError (a correct answer to, say, a random
 * id). A raw driver error, a TypeError, a RangeError or a DatabaseError fails the property. A canary table
 * and the row counts of every table prove that nothing ran that should not have.
 */
const t = useTestDatabase({ label: 'fuzz' });
const RUNS = 200;

function deep(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { d: value };
  return value;
}

const hostileStrings = [
  "'; DROP TABLE fuzz_canary; --",
  "' OR '1'='1",
  '\\',
  '\\x00',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '%_\\%',
  '$1',
  '${1}',
  '"quoted"',
  '',
  ' ',
  'x'.repeat(200_000),
  '١٢٫٥',
  '1e5',
  '0x10',
  '9'.repeat(40),
  '-0.001',
  '1.2.3',
  '2026-02-30',
  '0000-01-01',
  '2026-13-01',
  '99999-01-01',
  'not-a-uuid',
  '00000000-0000-4000-8000-000000000000',
];
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.constantFrom(1e309, -1e309, Number.NaN, -1, 0, 2 ** 31, 2 ** 53, 1e21, -0, 0.1 + 0.2, Number.MAX_VALUE, 1.5),
  fc.constantFrom<unknown>(null, undefined, true, false, [], [1, 2], {}, BigInt(1)),
  fc.constantFrom<unknown>(
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    deep(30),
    deep(5_000),
    { blob: 'b'.repeat(100_000) },
    Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i])),
  ),
);
const hostileOptions = fc.constantFrom<unknown>(
  null,
  42,
  'x',
  [],
  { transaction: 'x' },
  { userId: undefined },
  { transacton: null },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { limit: 1e309 },
);

interface Target {
  name: string;
  /** A valid input, made fresh for each run (unique names stay unique). */
  base: () => Record<string, unknown>;
  call: (input: Record<string, unknown>, options?: unknown) => Promise<unknown>;
}

let db: Foodsave;
let me: UserScope;
const ids: Record<string, string> = {};

beforeAll(async () => {
  counter = new pg.Client({ connectionString: rawUrl(t.url) });
  await counter.connect();
  await rawQuery(t.url, 'CREATE TABLE public.fuzz_canary (n int); INSERT INTO public.fuzz_canary VALUES (1)');
  db = createFoodsave(t.engine);
  me = db.forUser((await makeUser(db)).id);
  ids.product = (await db.catalog.products.create({ name: unique('Flour') })).id;
  ids.category = (await db.catalog.categories.create({ name: unique('Pantry') })).id;
  ids.conversation = (await me.conversations.create({ sessionId: unique('fuzz') })).id;
  ids.plan = (await me.mealPlans.create({ planDate: '2026-12-01', mealType: 'dinner' })).id;
  ids.lot = (await me.ledger.addItem({ productId: ids.product, quantity: '1000', unit: 'g' })).lot.id;
});

afterAll(async () => {
  await counter.end();
  expect(await rawQuery(t.url, 'SELECT n FROM public.fuzz_canary')).toEqual([{ n: 1 }]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const targets: Target[] = [
  { name: 'admin.users.create', base: () => ({ username: unique('u'), email: `${unique('e')}@example.com` }), call: (i, o) => db.admin.users.create(i as never, o as never) },
  { name: 'account.update', base: () => ({ username: unique('u') }), call: (i, o) => me.account.update(i as never, o as never) },
  { name: 'account.updatePreferences', base: () => ({ diet: ['vegetarian'], householdSize: 2 }), call: (i, o) => me.account.updatePreferences(i as never, o as never) },
  { name: 'conversations.create', base: () => ({ sessionId: unique('s'), title: 'Hello', metadata: { a: 1 } }), call: (i, o) => me.conversations.create(i as never, o as never) },
  { name: 'conversations.addMessage', base: () => ({ content: 'hi', role: 'user', agentUsed: 'chef', confidence: 0.5, metadata: {} }), call: (i, o) => me.conversations.addMessage(ids.conversation!, i as never, o as never) },
  { name: 'conversations.list', base: () => ({ offset: 0, limit: 10 }), call: (i, o) => me.conversations.list(i as never, o as never) },
  { name: 'conversations.getContextWindow', base: () => ({ n: 5 }), call: (i, o) => me.conversations.getContextWindow(ids.conversation!, i.n as never, o as never) },
  {
    name: 'receipts.createWithItems',
    base: () => ({ storeName: 'Shop', totalAmount: '12.50', purchaseDate: '2026-11-20', productName: 'Milk', quantity: '1', unitPrice: '12.50' }),
    call: ({ productName, quantity, unitPrice, ...receipt }, o) => me.receipts.createWithItems(receipt as never, [{ productName, quantity, unitPrice } as never], o as never),
  },
  { name: 'products.create', base: () => ({ name: unique('P'), categoryId: ids.category, storageInfo: { shelfLifeDays: 5 }, nutritionalInfo: {} }), call: (i, o) => db.catalog.products.create(i as never, o as never) },
  { name: 'products.search', base: () => ({ text: 'flour', limit: 5, minSimilarity: 0.3 }), call: ({ text, ...rest }, o) => db.catalog.products.search(text as never, (o ?? rest) as never) },
  { name: 'products.findByName', base: () => ({ text: 'flo', limit: 5 }), call: ({ text, limit }, o) => db.catalog.products.findByName(text as never, limit as never, o as never) },
  { name: 'categories.create', base: () => ({ name: unique('C'), parentId: ids.category, description: 'd' }), call: (i, o) => db.catalog.categories.create(i as never, o as never) },
  {
    name: 'recipes.createRecipe',
    base: () => ({ title: 'Soup', servings: 2, cookingTime: 30, tags: ['quick'], productId: ids.product, quantity: '100', unit: 'g' }),
    call: ({ productId, quantity, unit, ...recipe }, o) => db.catalog.recipes.createRecipe(recipe as never, [{ productId, quantity, unit } as never], [], o as never),
  },
  { name: 'ledger.addItem', base: () => ({ productId: ids.product, quantity: '2', unit: 'kg', expiryDate: '2026-12-24', notes: 'n' }), call: (i, o) => me.ledger.addItem(i as never, o as never) },
  { name: 'ledger.consume', base: () => ({ quantity: '1', unit: 'g' }), call: (i, o) => me.ledger.consume(ids.lot!, i as never, o as never) },
  { name: 'mealPlans.create', base: () => ({ planDate: '2026-12-02', mealType: 'lunch', notes: 'n' }), call: (i, o) => me.mealPlans.create(i as never, o as never) },
  { name: 'mealPlans.addItem', base: () => ({ productId: ids.product, quantity: '1', unit: 'kg' }), call: (i, o) => me.mealPlans.addItem(ids.plan!, i as never, o as never) },
  { name: 'mealPlans.getShoppingList', base: () => ({ from: '2026-12-01', to: '2026-12-07' }), call: (i, o) => me.mealPlans.getShoppingList(i as never, o as never) },
  { name: 'ledger.getWasteStats', base: () => ({ from: '2026-01-01', to: '2026-12-31' }), call: (i, o) => me.ledger.getWasteStats(i as never, o as never) },
];

const COUNTED = ['users', 'conversations', 'messages', 'receipts', 'receipt_items', 'products', 'categories', 'recipes', 'recipe_ingredients', 'pantry_items', 'pantry_events', 'meal_plans', 'meal_plan_items'];
let counter: pg.Client;

/** Every table's row count, on one connection of the test's own. */
async function tableSizes(): Promise<number[]> {
  const { rows } = await counter.query<{ n: number }>(COUNTED.map((name) => `SELECT count(*)::int AS n FROM ${name}`).join(' UNION ALL '));
  return rows.map((r) => r.n);
}

/** Runs one call; returns what happened, failing on anything outside the contract. */
async function outcome(call: () => Promise<unknown>): Promise<'ok' | 'refused' | 'rejected'> {
  const before = await tableSizes();
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (error instanceof ValidationError) {
      expect(error.issues.length).toBeGreaterThan(0);
      for (const issue of error.issues) expect(issue.path.length, `${error.message}`).toBeGreaterThan(0);
      expect(error.message.length).toBeLessThan(1_000);
      expect(await tableSizes()).toEqual(before);
      return 'rejected';
    }
    if (error instanceof NotFoundError || error instanceof ConflictError) return 'refused';
    throw error;
  }
}

describe('the error contract under generated hostile input', () => {
  for (const target of targets) {
    it(`${target.name}: any field, any hostile value`, async () => {
      const fields = Object.keys(target.base());
      const seen = { ok: 0, refused: 0, rejected: 0 };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields, '__proto__', 'constructor', 'extraField'), hostileValue, async (field, value) => {
          const input = target.base();
          if (field === '__proto__') Object.defineProperty(input, '__proto__', { value, enumerable: true, writable: true, configurable: true });
          else input[field] = value;
          seen[await outcome(() => target.call(input))]++;
        }),
        { numRuns: RUNS },
      );
      await fc.assert(
        fc.asyncProperty(hostileOptions, async (options) => {
          seen[await outcome(() => target.call(target.base(), options))]++;
        }),
        { numRuns: 20 },
      );
      expect(seen.rejected).toBeGreaterThan(0);
    }, 120_000);
  }
});
