import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createFoodsave, Quantity, type Foodsave, type UserScope } from '../src/index.js';
import { dateStatus } from '../src/values/dates.js';
import { addLots, makeUser, serverDays, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

/**
 * "Can I cook it", "cook it", "what to buy" and "what was wasted" never disagree, over random pantries,
 * recipes, unit conversions and days. Each case runs against a fresh user on the real database.
 */
const t = useTestDatabase({ label: 'food_properties' });
const RUNS = 40;

let db: Foodsave;
let today: string;
let day: (offset: number) => string;

beforeAll(async () => {
  db = createFoodsave(t.engine);
  ({ today, day } = await serverDays(t.engine));
});

/** Three product shapes: no conversions, pieces of a weight, packs of pieces of a weight (a chain, by alias). */
const CONVERSIONS = [{}, { pcs: { quantity: '60', unit: 'g' } }, { pack: { quantity: '6', unit: 'szt' }, szt: { quantity: '50', unit: 'g' } }];
const UNITS = ['g', 'kg', 'pcs', 'pack', 'ml'] as const;

const lotArb = fc.record({
  product: fc.integer({ min: 0, max: 2 }),
  quantity: fc.constantFrom('1', '2', '0.5', '3', '250', '500'),
  unit: fc.constantFrom(...UNITS),
  expiry: fc.option(fc.integer({ min: -3, max: 5 }), { nil: null }),
  kind: fc.constantFrom('best_before' as const, 'use_by' as const),
  price: fc.option(fc.constantFrom('1.00', '2.50', '0.99'), { nil: undefined }),
});
const ingredientArb = fc.record({
  product: fc.integer({ min: 0, max: 2 }),
  quantity: fc.constantFrom('1', '2', '0.5', '100', '250'),
  unit: fc.option(fc.constantFrom(...UNITS), { nil: null }),
});
const kitchenArb = fc.record({
  lots: fc.array(lotArb, { maxLength: 5 }),
  ingredients: fc.array(ingredientArb, { minLength: 1, maxLength: 3 }),
});

type KitchenCase = typeof kitchenArb extends fc.Arbitrary<infer T> ? T : never;

async function setUp(c: KitchenCase): Promise<{ me: UserScope; recipeId: string; products: string[] }> {
  const me = db.forUser((await makeUser(db, 'prop')).id);
  const products = await Promise.all(CONVERSIONS.map((units, i) => db.catalog.products.create({ name: `P${i} ${unique('p')}`, storageInfo: { units } })));
  await addLots(me, products.map((p) => p.id), c.lots, day);
  const recipe = await db.catalog.recipes.createRecipe(
    { title: `R ${unique('r')}`, servings: 1 },
    c.ingredients.map((i) => ({ productId: products[i.product]!.id, quantity: i.quantity, unit: i.unit })),
  );
  return { me, recipeId: recipe.id, products: products.map((p) => p.id) };
}

async function previewOf(me: UserScope, recipeId: string, asOf?: string) {
  const all = await me.recipes.getCookableRecipes({ limit: 200, maxMissing: 10, ...(asOf ? { asOf } : {}) });
  const found = all.find((r) => r.recipe.id === recipeId);
  expect(found, 'every recipe is within maxMissing 10').toBeDefined();
  return found!;
}

describe('the food model agrees with itself (fast-check)', () => {
  it('a recipe previewed with nothing missing cooks, taking exactly the lots it named; otherwise cooking changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(kitchenArb, async (c) => {
        const { me, recipeId } = await setUp(c);
        const preview = await previewOf(me, recipeId);
        const before = await me.pantry.listItems();
        if (preview.missingCount === 0) {
          const changes = await me.ledger.cookRecipe(recipeId);
          expect(changes.map((ch) => [ch.lot.id, ch.event.quantity])).toEqual(preview.lotsUsed.map((u) => [u.lotId, u.quantity]));
          for (const ch of changes) expect(dateStatus(ch.lot.expiryDate, ch.lot.dateKind, today), 'no expired lot is cooked').not.toBe('expired');
        } else {
          await expect(me.ledger.cookRecipe(recipeId)).rejects.toBeInstanceOf(ConflictError);
          expect(await me.pantry.listItems()).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('after buying exactly what the shopping list says, the planned meal is cookable on its day', async () => {
    await fc.assert(
      fc.asyncProperty(kitchenArb, fc.integer({ min: 0, max: 3 }), async (c, offset) => {
        const { me, recipeId } = await setUp(c);
        const planned = day(offset);
        await me.mealPlans.create({ planDate: planned, recipeId });
        const list = await me.mealPlans.getShoppingList({ from: today, to: day(3) });
        for (const item of list.items) {
          await me.ledger.addItem({ productId: item.productId, quantity: item.quantity, unit: item.unit ?? 'pcs', expiryDate: day(30) });
        }
        const preview = await previewOf(me, recipeId, planned);
        expect(preview.missing, JSON.stringify(list.items)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('an expired (past use-by) lot is never consumed, and every discard counts as waste at its value', async () => {
    const takes = fc.array(fc.record({ product: fc.integer({ min: 0, max: 2 }), quantity: fc.constantFrom('1', '0.5', '100'), unit: fc.constantFrom(...UNITS) }), {
      maxLength: 3,
    });
    await fc.assert(
      fc.asyncProperty(kitchenArb, takes, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), async (c, consumes, discards) => {
        const { me, products } = await setUp(c);
        const expired = (await me.pantry.listItems()).filter((l) => dateStatus(l.expiryDate, l.dateKind, today) === 'expired');
        for (const take of consumes) {
          await me.ledger.consumeProduct(products[take.product]!, { quantity: take.quantity, unit: take.unit }).catch((error: unknown) => {
            // Short of stock, or asked in a unit the product cannot be measured in: refused, nothing taken.
            if (!(error instanceof ConflictError) && (error as { code?: string }).code !== 'UNIT_MISMATCH') throw error;
          });
        }
        for (const lot of expired) expect((await me.pantry.get(lot.id))!.quantity).toBe(lot.quantity);

        let wasted = Quantity.ZERO;
        const lots = await me.pantry.listItems();
        for (const index of discards) {
          const lot = lots[index];
          if (!lot || !lot.unit) continue;
          const left = (await me.pantry.get(lot.id))!.quantity!;
          if (Quantity.of(left).isZero()) continue;
          const { event } = await me.ledger.discard(lot.id, { quantity: left, unit: lot.unit }, 'spoiled');
          if (event.value !== null) wasted = wasted.add(event.value);
        }
        const stats = await me.ledger.getWasteStats({ from: day(-1), to: day(1) });
        expect(stats.totals.wastedValue).toBe(wasted.toDecimal(2));
      }),
      { numRuns: RUNS },
    );
  });

  it('the date status is decided alike in SQL and TypeScript', async () => {
    const { dateStatusSql } = await import('../src/repositories/lot-dates.js');
    const { sql } = await import('../src/db/sql.js');
    const query = sql`SELECT ${dateStatusSql(sql`$3::date`, 'l')} AS status FROM (SELECT $1::date AS expiry_date, $2::text AS date_kind) l`.text;
    await fc.assert(
      fc.asyncProperty(fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }), fc.constantFrom('best_before' as const, 'use_by' as const), fc.integer({ min: -3, max: 3 }), async (expiry, kind, on) => {
        const expiryDate = expiry === null ? null : day(expiry);
        const [row] = (await t.engine.sequelize.query(query, { bind: [expiryDate, kind, day(on)], type: 'SELECT' as never })) as unknown as [{ status: string }];
        expect(row.status).toBe(dateStatus(expiryDate, kind, day(on)));
      }),
      { numRuns: 100 },
    );
  });
});
