import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createFoodsave, Quantity, type Foodsave, type UserScope } from '../src/index.js';
import { decadeAroundToday, makeUser, PAST, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'food_model' });
let db: Foodsave;

beforeAll(() => {
  db = createFoodsave(t.engine);
});

async function kitchen(): Promise<UserScope> {
  return db.forUser((await makeUser(db, 'cook')).id);
}
const product = (name: string, storageInfo: Record<string, unknown> = {}) => db.catalog.products.create({ name: `${name} ${unique('p')}`, storageInfo });

describe('the food model: one allocator behind consuming, cooking and the shopping list', () => {
  it('consumeProduct never takes an expired lot, and says what is short', async () => {
    const me = await kitchen();
    const milk = await product('Milk');
    const expired = (await me.ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: PAST })).lot;
    await expect(me.ledger.consumeProduct(milk.id, { quantity: '250', unit: 'ml' })).rejects.toBeInstanceOf(ConflictError);
    expect((await me.pantry.get(expired.id))!.quantity).toBe('1.000');
  });

  it('cookRecipe never takes an expired lot: nothing is consumed when only expired stock would do', async () => {
    const me = await kitchen();
    const flour = await product('Flour');
    await me.ledger.addItem({ productId: flour.id, quantity: '1', unit: 'kg', expiryDate: PAST });
    const bread = await db.catalog.recipes.createRecipe({ title: 'Bread', servings: 1 }, [{ productId: flour.id, quantity: '500', unit: 'g' }]);
    await expect(me.ledger.cookRecipe(bread.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await me.ledger.getWasteStats(decadeAroundToday())).toMatchObject({ totals: { consumedValue: '0.00' } });
  });

  it('consumeProduct skips an earlier lot whose unit does not convert and takes from later lots', async () => {
    const me = await kitchen();
    const eggs = await product('Eggs');
    const pack = (await me.ledger.addItem({ productId: eggs.id, quantity: '1', unit: 'pack', expiryDate: '2100-12-01' })).lot;
    const loose = (await me.ledger.addItem({ productId: eggs.id, quantity: '6', unit: 'pcs', expiryDate: '2100-12-05' })).lot;
    const changes = await me.ledger.consumeProduct(eggs.id, { quantity: '4', unit: 'pcs' });
    expect(changes.map((c) => [c.lot.id, c.lot.quantity])).toEqual([[loose.id, '2.000']]);
    expect((await me.pantry.get(pack.id))!.quantity).toBe('1.000');
  });

  it('cookRecipe follows chained product conversions (1 pack = 10 pcs, 1 pcs = 60 g)', async () => {
    const me = await kitchen();
    const eggs = await product('Eggs', { units: { pack: { quantity: '10', unit: 'pcs' }, pcs: { quantity: '60', unit: 'g' } } });
    const lot = (await me.ledger.addItem({ productId: eggs.id, quantity: '1', unit: 'pack', expiryDate: '2100-01-01' })).lot;
    const omelette = await db.catalog.recipes.createRecipe({ title: 'Omelette', servings: 1 }, [{ productId: eggs.id, quantity: '120', unit: 'g' }]);
    const [change] = await me.ledger.cookRecipe(omelette.id);
    expect(change!.lot).toMatchObject({ id: lot.id, quantity: '0.800', unit: 'pack' });
  });

  it('an ingredient listed twice counts against the same stock once: cooking fails, all or nothing', async () => {
    const me = await kitchen();
    const flour = await product('Flour');
    const lot = (await me.ledger.addItem({ productId: flour.id, quantity: '500', unit: 'g', expiryDate: '2100-01-01' })).lot;
    const twice = await db.catalog.recipes.createRecipe({ title: 'Two flours', servings: 1 }, [
      { productId: flour.id, quantity: '300', unit: 'g' },
      { productId: flour.id, quantity: '300', unit: 'g' },
    ]);
    const preview = (await me.recipes.getCookableRecipes({ limit: 200, maxMissing: 2 })).find((r) => r.recipe.id === twice.id);
    expect(preview).toMatchObject({ missingCount: 1, covered: [{ have: '300.000' }], missing: [{ needed: '300.000', have: '200.000' }] });
    await expect(me.ledger.cookRecipe(twice.id)).rejects.toThrow(/100\.000 g short/);
    expect((await me.pantry.get(lot.id))!.quantity).toBe('500.000');
  });

  it('an ingredient without a unit means pieces, in the cookable preview and in cooking', async () => {
    const me = await kitchen();
    const lemons = await product('Lemons');
    await me.ledger.addItem({ productId: lemons.id, quantity: '3', unit: 'pcs', expiryDate: '2100-01-01' });
    const lemonade = await db.catalog.recipes.createRecipe({ title: `Lemonade ${unique('r')}`, servings: 1 }, [{ productId: lemons.id, quantity: '2' }]);
    const preview = await me.recipes.getCookableRecipes({ limit: 200 });
    expect(preview.find((r) => r.recipe.id === lemonade.id)).toMatchObject({ missingCount: 0, covered: [{ needed: '2.000', have: '2.000', unit: 'pcs' }] });
    const [change] = await me.ledger.cookRecipe(lemonade.id);
    expect(change!.lot.quantity).toBe('1.000');
  });

  it('getExpiringWithin and the pantry list leave out used-up lots', async () => {
    const me = await kitchen();
    const yoghurt = await product('Yoghurt');
    const { lot } = await me.ledger.addItem({ productId: yoghurt.id, quantity: '1', unit: 'pcs', expiryDate: '2100-11-27' });
    await me.ledger.consume(lot.id, { quantity: '1', unit: 'pcs' });
    expect(await me.pantry.getExpiringWithin(30, { asOf: '2100-11-26' })).toEqual([]);
    expect(await me.pantry.listItems()).toEqual([]);
  });

  it('the shopping list gives one line per product, summing needs that convert into the first one’s unit', async () => {
    const me = await kitchen();
    const eggs = await product('Eggs', { units: { pcs: { quantity: '60', unit: 'g' } } });
    const salad = await db.catalog.recipes.createRecipe({ title: 'Egg salad', servings: 1 }, [{ productId: eggs.id, quantity: '2', unit: 'pcs' }]);
    const cake = await db.catalog.recipes.createRecipe({ title: 'Cake', servings: 1 }, [{ productId: eggs.id, quantity: '120', unit: 'g' }]);
    await me.mealPlans.create({ planDate: '2100-12-01', recipeId: salad.id });
    await me.mealPlans.create({ planDate: '2100-12-02', recipeId: cake.id });
    const list = await me.mealPlans.getShoppingList({ from: '2100-12-01', to: '2100-12-07' });
    expect(list.items).toEqual([expect.objectContaining({ productId: eggs.id, quantity: '4.000', unit: 'pcs', neededBy: '2100-12-01' })]);
  });

  it('a need that does not convert gets a line of its own, saying why', async () => {
    const me = await kitchen();
    const butter = await product('Butter');
    const a = await db.catalog.recipes.createRecipe({ title: 'Toast', servings: 1 }, [{ productId: butter.id, quantity: '20', unit: 'g' }]);
    const b = await db.catalog.recipes.createRecipe({ title: 'Cookies', servings: 1 }, [{ productId: butter.id, quantity: '1', unit: 'pack' }]);
    await me.mealPlans.create({ planDate: '2100-12-01', recipeId: a.id });
    await me.mealPlans.create({ planDate: '2100-12-02', recipeId: b.id });
    const { items } = await me.mealPlans.getShoppingList({ from: '2100-12-01', to: '2100-12-07' });
    expect(items).toEqual([
      expect.objectContaining({ quantity: '20.000', unit: 'g' }),
      expect.objectContaining({ quantity: '1.000', unit: 'pack', unconvertible: 'pack does not convert to g for this product' }),
    ]);
    expect(items[0]!.unconvertible).toBeUndefined();
  });

  it('a lot past its best-before date is overdue but still food: previewed, cooked and subtracted from the shopping list', async () => {
    const me = await kitchen();
    const pasta = await product('Pasta', { dateKind: 'best_before' });
    const { lot } = await me.ledger.addItem({ productId: pasta.id, quantity: '500', unit: 'g', expiryDate: PAST });
    expect(lot.dateKind).toBe('best_before');
    expect((await me.ledger.getOverdue()).map((l) => l.id)).toEqual([lot.id]);
    expect(await me.ledger.getExpired()).toEqual([]);
    const dish = await db.catalog.recipes.createRecipe({ title: `Pasta ${unique('r')}`, servings: 1 }, [{ productId: pasta.id, quantity: '200', unit: 'g' }]);
    const preview = (await me.recipes.getCookableRecipes({ limit: 200 })).find((r) => r.recipe.id === dish.id);
    expect(preview).toMatchObject({ missingCount: 0, lotsUsed: [{ lotId: lot.id, quantity: '200.000' }] });
    await me.mealPlans.create({ planDate: '2100-12-01', recipeId: dish.id });
    expect((await me.mealPlans.getShoppingList({ from: '2100-12-01', to: '2100-12-01' })).items).toEqual([]);
    const [change] = await me.ledger.cookRecipe(dish.id);
    expect(change!.lot).toMatchObject({ id: lot.id, quantity: '300.000' });
  });

  it('a lot past its use-by date is expired: never available, listed by getExpired, and a lot can say its own kind', async () => {
    const me = await kitchen();
    const pasta = await product('Pasta', { dateKind: 'best_before' });
    const { lot } = await me.ledger.addItem({ productId: pasta.id, quantity: '500', unit: 'g', expiryDate: PAST, dateKind: 'use_by' });
    const viaCrud = await me.pantry.create({ productId: pasta.id, quantity: '1', unit: 'g', expiryDate: PAST });
    expect(viaCrud.dateKind).toBe('best_before');
    expect((await me.ledger.getExpired()).map((l) => l.id)).toEqual([lot.id]);
    await expect(me.ledger.consumeProduct(pasta.id, { quantity: '100', unit: 'g' })).rejects.toBeInstanceOf(ConflictError);
    await expect(me.ledger.consume(lot.id, { quantity: '100', unit: 'g' })).rejects.toThrow(/past its use-by date/);
    expect((await me.pantry.get(lot.id))!.quantity).toBe('500.000');
    const { event } = await me.ledger.discard(lot.id, { quantity: '500', unit: 'g' }, 'expired');
    expect(event).toMatchObject({ eventType: 'wasted', dateStatus: 'expired' });
  });

  it('the waste report tells expired food from overdue food from fresh food thrown away', async () => {
    const me = await kitchen();
    const rice = await product('Rice', { dateKind: 'best_before' });
    const fish = await product('Fish');
    const overdue = (await me.ledger.addItem({ productId: rice.id, quantity: '1', unit: 'kg', expiryDate: PAST, totalPrice: '3.00' })).lot;
    const expired = (await me.ledger.addItem({ productId: fish.id, quantity: '1', unit: 'pcs', expiryDate: PAST, totalPrice: '9.00' })).lot;
    const fresh = (await me.ledger.addItem({ productId: fish.id, quantity: '1', unit: 'pcs', expiryDate: '2100-01-01', totalPrice: '8.00' })).lot;
    for (const lot of [overdue, expired, fresh]) await me.ledger.discard(lot.id, { quantity: lot.quantity!, unit: lot.unit! }, 'spoiled');
    const { byDateStatus } = await me.ledger.getWasteStats(decadeAroundToday());
    expect(byDateStatus).toEqual([
      { status: 'expired', wastedValue: '9.00', events: 1 },
      { status: 'fresh', wastedValue: '8.00', events: 1 },
      { status: 'overdue', wastedValue: '3.00', events: 1 },
    ]);
  });

  it('the preview follows chained conversions keyed by alias, as cooking does (1 opak = 10 szt, 1 szt = 60 g)', async () => {
    const me = await kitchen();
    const eggs = await product('Eggs', { units: { opak: { quantity: '10', unit: 'szt' }, szt: { quantity: '60', unit: 'g' } } });
    const { lot } = await me.ledger.addItem({ productId: eggs.id, quantity: '1', unit: 'pack', expiryDate: '2100-01-01' });
    const frittata = await db.catalog.recipes.createRecipe({ title: `Frittata ${unique('r')}`, servings: 1 }, [{ productId: eggs.id, quantity: '120', unit: 'g' }]);
    const preview = (await me.recipes.getCookableRecipes({ limit: 200 })).find((r) => r.recipe.id === frittata.id);
    expect(preview).toMatchObject({ missingCount: 0, lotsUsed: [{ lotId: lot.id, quantity: '0.200', unit: 'pack' }] });
    const [change] = await me.ledger.cookRecipe(frittata.id);
    expect(change!.event.quantity).toBe('0.200');
  });

  it('on equal expiry dates the preview names the lot cooking takes: the opened one, then the oldest purchase', async () => {
    const me = await kitchen();
    const milk = await product('Milk');
    const newer = (await me.ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2100-01-01', purchaseDate: '2100-11-20' })).lot;
    const older = (await me.ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2100-01-01', purchaseDate: '2100-11-10' })).lot;
    const shake = await db.catalog.recipes.createRecipe({ title: `Shake ${unique('r')}`, servings: 1 }, [{ productId: milk.id, quantity: '250', unit: 'ml' }]);
    const preview = async () => (await me.recipes.getCookableRecipes({ limit: 200 })).find((r) => r.recipe.id === shake.id)!;
    expect((await preview()).lotsUsed.map((u) => u.lotId)).toEqual([older.id]);
    await me.ledger.open(newer.id);
    expect((await preview()).lotsUsed.map((u) => u.lotId)).toEqual([newer.id]);
    // Expiry outranks opened (unlike Grocy): a sooner-expiring unopened lot goes before the opened one.
    const sooner = (await me.ledger.addItem({ productId: milk.id, quantity: '1', unit: 'l', expiryDate: '2099-12-31' })).lot;
    expect((await preview()).lotsUsed.map((u) => u.lotId)).toEqual([sooner.id]);
    await me.ledger.discard(sooner.id, { quantity: '1', unit: 'l' }, 'other');
    const [change] = await me.ledger.cookRecipe(shake.id);
    expect(change!.lot.id).toBe(newer.id);
  });

  it('takes are exact: ten teaspoons from a 0.75 l bottle leave exactly 0.75 l less ten teaspoons, each booked as exactly one', async () => {
    const me = await kitchen();
    const oil = await product('Oil');
    const { lot } = await me.ledger.addItem({ productId: oil.id, quantity: '0.75', unit: 'l', expiryDate: '2100-01-01' });
    const teaspoon = db.units.convert('1', 'tsp', 'l');
    for (let i = 0; i < 10; i++) {
      const { event } = await me.ledger.consume(lot.id, { quantity: '1', unit: 'tsp' });
      expect(Quantity.of(event.quantity).cmp(teaspoon)).toBe(0);
    }
    const left = (await me.pantry.get(lot.id))!.quantity!;
    expect(Quantity.of(left).cmp(Quantity.of('0.75').sub(teaspoon.mul('10')))).toBe(0);
    expect(left).toBe('0.7007107840625');
    const [last] = (await me.ledger.getUseFirst({ productId: oil.id }));
    expect(last!.quantity).toBe(left);
  });
});
