import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kitchen, type Candidate, type PantryLot } from '../src/domain/cookable-kitchen.js';
import { compareKeys, CookableWalk, keyOf, type Upcoming } from '../src/domain/cookable-walk.js';
import { RecipeCatalogue } from '../src/domain/recipe-catalogue.js';
import { createUnitRegistry } from '../src/values/units.js';

/**
 * The walk's promise, without a database: the key it gives a recipe before reading it is never worse
 * than the key the recipe gets once evaluated, it hands recipes out best key first, and it leaves out
 * no recipe that could rank.
 */
const DAY = '2026-11-20';
const units = createUnitRegistry();
const productId = (i: number) => `00000000-0000-4000-8000-00000000000${i}`;
const recipeId = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;

const lotArb = fc.record({
  product: fc.integer({ min: 0, max: 5 }),
  quantity: fc.constantFrom('1', '2', '100', '250', '500', '0'),
  unit: fc.constantFrom('g', 'kg', 'pcs', null),
  expiry: fc.option(fc.integer({ min: 17, max: 26 }), { nil: null }),
  kind: fc.constantFrom('best_before' as const, 'use_by' as const),
  price: fc.option(fc.constantFrom('1.00', '2.50', '0.10', '0.00'), { nil: null }),
});
const recipeArb = fc.record({
  title: fc.constantFrom('Soup', 'Salad', 'soup', 'Ąpple pie', 'Stew'),
  ingredients: fc.array(
    fc.record({
      product: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }),
      quantity: fc.option(fc.constantFrom('1', '100', '300', '0'), { nil: null }),
      unit: fc.option(fc.constantFrom('g', 'kg', 'pcs'), { nil: null }),
    }),
    { maxLength: 4 },
  ),
});
const caseArb = fc.record({
  lots: fc.array(lotArb, { maxLength: 10 }),
  recipes: fc.array(recipeArb, { minLength: 1, maxLength: 12 }),
  limit: fc.integer({ min: 1, max: 5 }),
  maxMissing: fc.integer({ min: 0, max: 4 }),
  expiringWithinDays: fc.integer({ min: 0, max: 5 }),
});

describe('CookableWalk', () => {
  it('bounds every recipe optimistically, hands them out best bound first, and leaves out none that could rank (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const lots: PantryLot[] = c.lots
          .filter((l) => l.quantity !== '0')
          .map((l, i) => ({
            id: `lot-${String(i).padStart(2, '0')}`,
            productId: productId(l.product),
            quantity: l.quantity,
            unit: l.unit,
            expiryDate: l.expiry === null ? null : `2026-11-${l.expiry}`,
            dateKind: l.kind,
            unitPrice: l.price,
          }))
          // The use-first order the pantry statement gives: earliest expiry first, then by id.
          .sort((a, b) => (a.expiryDate ?? '9') .localeCompare(b.expiryDate ?? '9') || a.id.localeCompare(b.id));
        const recipes: Candidate[] = c.recipes.map((r, i) => ({
          id: recipeId(i),
          title: r.title,
          servings: 1,
          cookingTime: null,
          difficultyLevel: null,
          tags: null,
          ingredients: r.ingredients.map((g) => ({
            productId: g.product === null ? null : productId(g.product),
            productName: null,
            quantity: g.quantity,
            unit: g.unit,
          })),
        }));
        const catalogue = new RecipeCatalogue(
          '1',
          recipes.map((r) => ({ id: r.id, title: r.title, n: r.ingredients.length, products: r.ingredients.flatMap((g) => (g.productId ? [g.productId] : [])) })),
        );
        const kitchen = new Kitchen({ day: DAY, catalogueVersion: '1', lots, conversions: {} }, units, c.expiringWithinDays);
        const walk = new CookableWalk(catalogue, kitchen, c.maxMissing, c.limit);
        const handed: Upcoming[] = [];
        for (let next = walk.peek(); next; next = walk.peek()) {
          handed.push(next);
          expect(walk.take(1)).toEqual([next.recipe]);
        }
        for (let i = 1; i < handed.length; i++) expect(compareKeys(handed[i - 1]!, handed[i]!), 'best bound first').toBeLessThanOrEqual(0);
        const actual = recipes.map((r) => kitchen.evaluate(r));
        for (const bound of handed) {
          expect(compareKeys(bound, keyOf(actual[bound.recipe]!)), `bound of ${bound.recipe} is optimistic`).toBeLessThanOrEqual(0);
        }
        // Every recipe the ranking would list is handed out.
        const ranked = actual
          .filter((r, i) => recipes[i]!.ingredients.length > 0 && r.result.missingCount <= c.maxMissing)
          .sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
          .slice(0, c.limit);
        const ids = new Set(handed.map((h) => recipeId(h.recipe)));
        for (const r of ranked) expect(ids.has(r.result.recipe.id), `${r.result.recipe.title} is handed out`).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
