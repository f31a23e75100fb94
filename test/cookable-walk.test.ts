import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFoodsave, type Foodsave } from '../src/index.js';
import { addLots, makeUser, serverDays, unique } from './support/fixtures.js';
import { rawQuery, useTestDatabase } from './support/test-database.js';
import { userScope } from '../src/db/scope.js';
import { rankCookable } from '../src/domain/recipe-finder.js';
import { createUnitRegistry } from '../src/values/units.js';

/**
 * getCookableRecipes reads only the recipes that could still make its ranking, walking the catalogue
 * index by the best rank each recipe could reach. These tests hold it to the exhaustive answer: every
 * recipe evaluated and ranked, then cut.
 */
const t = useTestDatabase({ label: 'cookable_walk' });
const RUNS = 60;

let db: Foodsave;
let day: (offset: number) => string;

beforeAll(async () => {
  db = createFoodsave(t.engine);
  ({ day } = await serverDays(t.engine));
});

const lotArb = fc.record({
  product: fc.integer({ min: 0, max: 4 }),
  quantity: fc.constantFrom('1', '2', '100', '250', '500'),
  unit: fc.constantFrom('g', 'kg', 'pcs'),
  expiry: fc.option(fc.integer({ min: -2, max: 6 }), { nil: null }),
  kind: fc.constantFrom('best_before' as const, 'use_by' as const),
  price: fc.option(fc.constantFrom('1.00', '2.50', '0.10'), { nil: undefined }),
});
const recipeArb = fc.record({
  title: fc.constantFrom('Soup', 'Salad', 'Stew', 'soup', 'Ąpple pie'),
  ingredients: fc.array(
    fc.record({
      product: fc.integer({ min: 0, max: 5 }),
      quantity: fc.option(fc.constantFrom('1', '100', '300'), { nil: null }),
      unit: fc.option(fc.constantFrom('g', 'kg', 'pcs'), { nil: null }),
    }),
    { maxLength: 4 },
  ),
});
const caseArb = fc.record({
  lots: fc.array(lotArb, { maxLength: 8 }),
  // Recipes pile up over the runs: earlier runs' recipes use products this run's pantry has none of.
  recipes: fc.array(recipeArb, { minLength: 1, maxLength: 6 }),
  limit: fc.integer({ min: 1, max: 4 }),
  maxMissing: fc.integer({ min: 0, max: 3 }),
  expiringWithinDays: fc.integer({ min: 0, max: 4 }),
});

describe('getCookableRecipes reads only what can rank, and answers as if it had read everything', () => {
  it('equals the ranking of every recipe of the catalogue, each read and evaluated (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const me = db.forUser((await makeUser(db, 'walk')).id);
        // Product 5 is never in a pantry: recipes that use it miss it whatever the lots.
        const products = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => db.catalog.products.create({ name: `W${i} ${unique('p')}` })));
        await addLots(me, products.map((p) => p.id), c.lots, day);
        for (const r of c.recipes) {
          await db.catalog.recipes.createRecipe(
            { title: `${r.title} ${unique('r')}`, servings: 1 },
            r.ingredients.map((i) => ({ productId: products[i.product]!.id, quantity: i.quantity, unit: i.unit })),
          );
        }
        const options = { limit: c.limit, maxMissing: c.maxMissing, expiringWithinDays: c.expiringWithinDays };
        const every = await rankCookable(t.engine, userScope(me.userId), createUnitRegistry(), options, 'every');
        expect(await me.recipes.getCookableRecipes(options)).toEqual(every);
      }),
      { numRuns: RUNS },
    );
  });

  it('sees a recipe added, renamed, given an ingredient or deleted since its last call', async () => {
    const me = db.forUser((await makeUser(db, 'fresh')).id);
    const [milk, oats] = await Promise.all(['Milk', 'Oats'].map((n) => db.catalog.products.create({ name: `${n} ${unique('p')}` })));
    await me.ledger.addItem({ productId: milk!.id, quantity: '1', unit: 'l', expiryDate: day(1) });
    const ids = async () => (await me.recipes.getCookableRecipes({ limit: 200, maxMissing: 1 })).filter((r) => r.covered.some((i) => i.productId === milk!.id));
    expect(await ids()).toEqual([]);
    const recipe = await db.catalog.recipes.createRecipe({ title: 'Porridge', servings: 1 }, [{ productId: milk!.id, quantity: '0.2', unit: 'l' }]);
    expect((await ids()).map((r) => [r.recipe.title, r.missingCount])).toEqual([['Porridge', 0]]);
    await db.catalog.recipes.update(recipe.id, { title: 'Porridge for one' });
    await rawQuery(t.url, `INSERT INTO recipe_ingredients (recipe_id, product_id, quantity, unit) VALUES ($1, $2, 50, 'g')`, [recipe.id, oats!.id]);
    expect((await ids()).map((r) => [r.recipe.title, r.missingCount])).toEqual([['Porridge for one', 1]]);
    await db.catalog.recipes.delete(recipe.id);
    expect(await ids()).toEqual([]);
  });
});
