import { describe, expect, it } from 'vitest';
import { ConflictError, createFoodsave } from '../src/index.js';
import { makeUser } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'domain_recipes' });

async function kitchen() {
  const db = createFoodsave(t.engine);
  const user = await makeUser(db, 'cook');
  const me = db.forUser(user.id);
  const ledger = me.ledger;
  const catalog = db.catalog;
  const dairy = await catalog.categories.create({ name: 'Dairy' });
  const veg = await catalog.categories.create({ name: 'Vegetables' });
  const eggs = await catalog.products.create({ name: 'Eggs', storageInfo: { units: { pcs: { quantity: '60', unit: 'g' } } } });
  const milk = await catalog.products.create({ name: 'Milk', categoryId: dairy.id });
  const spinach = await catalog.products.create({ name: 'Spinach', categoryId: veg.id });
  const feta = await catalog.products.create({ name: 'Feta', categoryId: dairy.id });
  const flour = await catalog.products.create({ name: 'Flour' });
  const pancakes = await catalog.recipes.createRecipe({ title: 'Pancakes', servings: 2 }, [
    { productId: milk.id, quantity: '0.5', unit: 'l' },
    { productId: eggs.id, quantity: '120', unit: 'g' },
  ]);
  const pie = await catalog.recipes.createRecipe({ title: 'Spinach pie', servings: 4 }, [
    { productId: spinach.id, quantity: '150', unit: 'gram' },
    { productId: feta.id, quantity: '100', unit: 'g' },
  ]);
  const shake = await catalog.recipes.createRecipe({ title: 'Milk shake', servings: 1 }, [{ productId: milk.id, quantity: '250', unit: 'ml' }]);
  const cake = await catalog.recipes.createRecipe({ title: 'Cake', servings: 8 }, [{ productId: flour.id, quantity: '500', unit: 'g' }]);
  return { db, me, catalog, ledger, user, eggs, milk, spinach, feta, flour, pancakes, pie, shake, cake, dairy, veg };
}

describe('getCookableRecipes', () => {
  it('ranks by the soonest-expiring food used, then coverage and missing ingredients, unit-aware, in two statements once the catalogue index is built', async () => {
    const k = await kitchen();
    const add = (productId: string, quantity: string, unit: string, expiryDate: string, totalPrice?: string) =>
      k.ledger.addItem({ productId, quantity, unit, expiryDate, ...(totalPrice ? { totalPrice } : {}) });
    const eggLot = (await add(k.eggs.id, '6', 'pcs', '2100-11-27', '3.00')).lot;
    await add(k.spinach.id, '200', 'g', '2100-11-28');
    await add(k.spinach.id, '500', 'g', '2100-11-20'); // expired: never counted
    await add(k.milk.id, '1', 'l', '2100-12-06');

    const seen: string[] = [];
    const listener = (e: { sql: string }) => seen.push(e.sql);
    t.engine.events.on('query', listener);
    const first = await k.me.recipes.getCookableRecipes({ asOf: '2100-11-26' });
    // The pantry, the catalogue index (built once per catalogue version), the recipes that can rank.
    expect(seen).toHaveLength(3);
    seen.length = 0;
    const now = await k.me.recipes.getCookableRecipes({ asOf: '2100-11-26' });
    t.engine.events.off('query', listener);
    expect(seen).toHaveLength(2);
    expect(now).toEqual(first);
    expect(now.map((r) => r.recipe.title)).toEqual(['Pancakes', 'Milk shake']);

    const pancakes = now[0]!;
    expect(pancakes).toMatchObject({ coverage: '1.0000', missingCount: 0, soonestExpiry: '2100-11-27', savedValue: '1.00', missing: [] });
    expect(pancakes.covered).toEqual(
      expect.arrayContaining([
        { productId: k.eggs.id, productName: 'Eggs', needed: '120.000', have: '120.000', unit: 'g' },
        { productId: k.milk.id, productName: 'Milk', needed: '0.500', have: '0.500', unit: 'l' },
      ]),
    );
    expect(pancakes.expiringLots).toEqual([{ lotId: eggLot.id, productId: k.eggs.id, expiryDate: '2100-11-27', quantity: '2.000', unit: 'pcs' }]);

    const nearly = await k.me.recipes.getCookableRecipes({ asOf: '2100-11-26', maxMissing: 1 });
    // Cake has nothing in stock, but its one missing ingredient is within maxMissing: it is listed, last.
    expect(nearly.map((r) => r.recipe.title)).toEqual(['Pancakes', 'Spinach pie', 'Milk shake', 'Cake']);
    expect(nearly[3]).toMatchObject({ coverage: '0.0000', missingCount: 1, soonestExpiry: null, savedValue: '0.00', covered: [] });
    const pie = nearly[1]!;
    expect(pie).toMatchObject({ coverage: '0.5000', missingCount: 1, soonestExpiry: '2100-11-28' });
    expect(pie.missing).toEqual([{ productId: k.feta.id, productName: 'Feta', needed: '100.000', have: '0.000', unit: 'g' }]);
    expect(pie.covered[0]).toMatchObject({ productId: k.spinach.id, needed: '150.000', have: '150.000', unit: 'g' });

    const other = await makeUser(k.db, 'hungry');
    // Another user's pantry is empty: recipes are listed only as wholly missing, none of this user's lots used.
    const theirs = await k.db.forUser(other.id).recipes.getCookableRecipes({ asOf: '2100-11-26', maxMissing: 5 });
    expect(theirs.length).toBeGreaterThan(0);
    for (const r of theirs) expect(r).toMatchObject({ coverage: '0.0000', covered: [], expiringLots: [], savedValue: '0.00' });
    expect(await k.db.forUser(other.id).recipes.getCookableRecipes({ asOf: '2100-11-26', maxMissing: 0 })).toEqual([]);
  });
});

describe('cookRecipe', () => {
  it('consumes scaled ingredients in use-first order and logs events pointing to the recipe; all or nothing', async () => {
    const k = await kitchen();
    await k.ledger.addItem({ productId: k.milk.id, quantity: '1', unit: 'l', expiryDate: '2100-12-01' });
    await k.ledger.addItem({ productId: k.eggs.id, quantity: '3', unit: 'pcs', expiryDate: '2100-11-28' });
    await k.ledger.addItem({ productId: k.eggs.id, quantity: '6', unit: 'pcs', expiryDate: '2100-12-10' });
    const changes = await k.ledger.cookRecipe(k.pancakes.id, { servings: 4 });
    // Ingredients in any order; eggs in use-first order (the lot expiring first is emptied first).
    const eggs = changes.filter((c) => c.lot.productId === k.eggs.id).map((c) => [c.event.quantity, c.event.unit, c.event.recipeId]);
    const milk = changes.filter((c) => c.lot.productId === k.milk.id).map((c) => [c.event.quantity, c.event.unit, c.event.recipeId]);
    expect(changes).toHaveLength(3);
    expect(milk).toEqual([['1.000', 'l', k.pancakes.id]]);
    expect(eggs).toEqual([
      ['3.000', 'pcs', k.pancakes.id],
      ['1.000', 'pcs', k.pancakes.id],
    ]);
    const before = (await k.ledger.getUseFirst()).map((l) => [l.productId, l.quantity]);
    expect(before).toEqual([[k.eggs.id, '5.000']]);
    await expect(k.ledger.cookRecipe(k.pancakes.id)).rejects.toBeInstanceOf(ConflictError);
    expect((await k.ledger.getUseFirst()).map((l) => [l.productId, l.quantity])).toEqual(before);
  });
});

describe('getShoppingList', () => {
  it('scales planned recipes, subtracts only stock still good on the day, and groups by category', async () => {
    const k = await kitchen();
    // Milk that expires the day before the second meal needs it; eggs that keep.
    await k.ledger.addItem({ productId: k.milk.id, quantity: '1', unit: 'l', expiryDate: '2100-12-02' });
    await k.ledger.addItem({ productId: k.eggs.id, quantity: '6', unit: 'pcs', expiryDate: null });
    await k.me.mealPlans.create({ planDate: '2100-12-01', mealType: 'breakfast', recipeId: k.pancakes.id });
    const dinner = await k.me.mealPlans.create({ planDate: '2100-12-03', mealType: 'dinner' });
    await k.me.mealPlans.addItem(dinner.id, { recipeId: k.pancakes.id, servings: 4 });
    await k.me.mealPlans.addItem(dinner.id, { productId: k.feta.id, quantity: '200', unit: 'g' });
    await k.me.mealPlans.create({ planDate: '2100-12-20', recipeId: k.cake.id });

    const list = await k.me.mealPlans.getShoppingList({ from: '2100-11-30', to: '2100-12-06' });
    expect(list.items).toEqual([
      { productId: k.feta.id, productName: 'Feta', categoryId: k.dairy.id, categoryName: 'Dairy', quantity: '200.000', unit: 'g', neededBy: '2100-12-03' },
      { productId: k.milk.id, productName: 'Milk', categoryId: k.dairy.id, categoryName: 'Dairy', quantity: '1.000', unit: 'l', neededBy: '2100-12-03' },
    ]);
    expect(list.byCategory.map((g) => [g.categoryName, g.items.map((i) => i.productName)])).toEqual([['Dairy', ['Feta', 'Milk']]]);
    expect((await k.me.mealPlans.getPlan({ from: '2100-11-30', to: '2100-12-06' })).map((p) => p.planDate)).toEqual(['2100-12-01', '2100-12-03']);

    // Eggs: 2 for breakfast, then 240 g = 4 pcs for dinner; a third meal's eggs must be bought.
    const lunch = await k.me.mealPlans.create({ planDate: '2100-12-04', mealType: 'lunch' });
    await k.me.mealPlans.addItem(lunch.id, { productId: k.eggs.id, quantity: '2', unit: 'szt' });
    const more = await k.me.mealPlans.getShoppingList({ from: '2100-11-30', to: '2100-12-06' });
    expect(more.items.find((i) => i.productId === k.eggs.id)).toMatchObject({ quantity: '2.000', unit: 'pcs', neededBy: '2100-12-04' });

    const other = await makeUser(k.db, 'planner');
    expect(await k.db.forUser(other.id).mealPlans.getShoppingList({ from: '2100-11-30', to: '2100-12-06' })).toEqual({ from: '2100-11-30', to: '2100-12-06', items: [], byCategory: [] });
  });
});
