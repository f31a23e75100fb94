import { describe, expect, it } from 'vitest';
import { createFoodsave, NotFoundError, ValidationError } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'domain_catalog' });

describe('the category tree', () => {
  it('reads a subtree and the ancestors in one recursive query each, and refuses cycles', async () => {
    const catalog = createFoodsave(t.engine).catalog;
    const food = await catalog.categories.create({ name: unique('Food').slice(0, 100) });
    const dairy = await catalog.categories.create({ name: 'Dairy', parentId: food.id });
    const cheese = await catalog.categories.create({ name: 'Cheese', parentId: dairy.id });
    const hard = await catalog.categories.create({ name: 'Hard cheese', parentId: cheese.id });
    const veg = await catalog.categories.create({ name: 'Vegetables', parentId: food.id });

    const subtree = await catalog.categories.getSubtree(food.id);
    expect(subtree.map((c) => [c.name, c.depth])).toEqual([
      [food.name, 0],
      ['Dairy', 1],
      ['Cheese', 2],
      ['Hard cheese', 3],
      ['Vegetables', 1],
    ]);
    expect((await catalog.categories.getAncestors(hard.id)).map((c) => c.id)).toEqual([cheese.id, dairy.id, food.id]);
    expect(await catalog.categories.getAncestors(food.id)).toEqual([]);

    await expect(catalog.categories.move(dairy.id, hard.id)).rejects.toThrow(/cannot move a category under itself or one of its descendants/);
    await expect(catalog.categories.move(dairy.id, dairy.id)).rejects.toBeInstanceOf(ValidationError);
    expect((await catalog.categories.get(dairy.id))!.parentId).toBe(food.id);
    expect((await catalog.categories.move(cheese.id, veg.id)).parentId).toBe(veg.id);
    expect((await catalog.categories.move(cheese.id, null)).parentId).toBeNull();
    await expect(catalog.categories.move('00000000-0000-4000-8000-000000000000', null)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists products by category including subcategories', async () => {
    const catalog = createFoodsave(t.engine).catalog;
    const dairy = await catalog.categories.create({ name: 'Dairy 2' });
    const cheese = await catalog.categories.create({ name: 'Cheese 2', parentId: dairy.id });
    const milk = await catalog.products.create({ name: 'Milk 2', categoryId: dairy.id });
    const gouda = await catalog.products.create({ name: 'Gouda 2', categoryId: cheese.id });
    expect((await catalog.products.getByCategory(dairy.id)).map((p) => p.id)).toEqual([milk.id]);
    expect((await catalog.products.getByCategory(dairy.id, { includeSubcategories: true })).map((p) => p.id)).toEqual([gouda.id, milk.id]);
  });
});

describe('typo-tolerant product search', () => {
  it('finds products despite typos, best match first', async () => {
    const catalog = createFoodsave(t.engine).catalog;
    const tomatoes = await catalog.products.create({ name: 'Tomatoes' });
    await catalog.products.create({ name: 'Potatoes' });
    const yoghurt = await catalog.products.create({ name: 'Greek yoghurt' });
    const found = await catalog.products.search('tomatos');
    expect(found[0]!.id).toBe(tomatoes.id);
    expect(found[0]!.similarity).toBeGreaterThan(0.5);
    expect((await catalog.products.search('yogurt'))[0]!.id).toBe(yoghurt.id);
    expect(await catalog.products.search('xylophone')).toEqual([]);
  });
});

describe('receipts into the pantry', () => {
  it('proposes products by similarity, learns accepted matches per store, and stocks matched lines as priced lots', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db, 'stocker');
    const me = db.forUser(user.id);
    const ledger = me.ledger;
    const milk = await db.catalog.products.create({ name: 'Milk', storageInfo: { shelfLifeDays: 7 } });
    const bread = await db.catalog.products.create({ name: 'Rye bread' });
    const first = await me.receipts.createWithItems({ storeName: 'Lidl', purchaseDate: '2026-11-20', totalAmount: '9.47' }, [
      { productName: 'MILK 3.2% 1L', quantity: '2', unit: 'szt', unitPrice: '2.49', totalPrice: '4.98' },
      { productName: 'CHLEB ZYTNI', totalPrice: '4.49' },
      { productName: 'Rabat', totalPrice: '-0.00' },
    ]);
    const proposals = await me.receipts.matchReceiptItems(first.id);
    expect(proposals.map((p) => [p.productName, p.productId, p.source])).toEqual([
      ['MILK 3.2% 1L', milk.id, 'similar'],
      ['CHLEB ZYTNI', null, null],
      ['Rabat', null, null],
    ]);
    await me.receipts.acceptMatch(first.items[0]!.id, milk.id);
    const accepted = await me.receipts.acceptMatch(first.items[1]!.id, bread.id);
    expect(accepted).toMatchObject({ productId: bread.id, productName: 'CHLEB ZYTNI' });

    const lots = await ledger.stockFromReceipt(first.id);
    expect(lots.map((c) => [c.lot.productId, c.lot.quantity, c.lot.unit, c.lot.unitPrice, c.lot.storeName, c.lot.purchaseDate, c.lot.expiryDate])).toEqual([
      [milk.id, '2.000', 'pcs', '2.4900', 'Lidl', '2026-11-20', '2026-11-27'],
      [bread.id, '1.000', 'pcs', '4.4900', 'Lidl', '2026-11-20', null],
    ]);
    expect(lots[0]!.event).toMatchObject({ eventType: 'added', value: '4.98', receiptItemId: first.items[0]!.id });
    expect(await ledger.stockFromReceipt(first.id)).toEqual([]);

    // The next receipt from the same store: the accepted line is known.
    const second = await me.receipts.createWithItems({ storeName: 'LIDL' }, [{ productName: 'chleb zytni ' }]);
    expect((await me.receipts.matchReceiptItems(second.id))[0]).toMatchObject({ productId: bread.id, source: 'learned', similarity: 1 });
    const elsewhere = await me.receipts.createWithItems({ storeName: 'Biedronka' }, [{ productName: 'CHLEB ZYTNI' }]);
    expect((await me.receipts.matchReceiptItems(elsewhere.id))[0]!.source).not.toBe('learned');

    const other = await makeUser(db, 'nosy');
    const nosy = db.forUser(other.id);
    expect(await nosy.receipts.matchReceiptItems(first.id)).toEqual([]);
    expect(await nosy.receipts.acceptMatch(second.items[0]!.id, milk.id)).toBeNull();
    await expect(nosy.ledger.stockFromReceipt(first.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('breaks spending down by store, category and month, exactly', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db, 'spender');
    const me = db.forUser(user.id);
    const fruit = await db.catalog.categories.create({ name: 'Fruit' });
    const apple = await db.catalog.products.create({ name: 'Apple', categoryId: fruit.id });
    await me.receipts.createWithItems({ storeName: 'Lidl', purchaseDate: '2026-10-05', totalAmount: '0.30' }, [
      { productName: 'APPLE', productId: apple.id, totalPrice: '0.10' },
      { productName: 'APPLE', productId: apple.id, totalPrice: '0.20' },
    ]);
    await me.receipts.createWithItems({ storeName: 'Aldi', purchaseDate: '2026-11-05', totalAmount: '5.00' }, [
      { productName: 'SOAP', totalPrice: '5.00' },
    ]);
    const b = await me.receipts.getSpendingBreakdown({ from: '2026-01-01', to: '2026-12-31' });
    expect(b.byStore).toEqual([
      { storeName: 'Aldi', total: '5.00', receipts: 1 },
      { storeName: 'Lidl', total: '0.30', receipts: 1 },
    ]);
    expect(b.byCategory).toEqual([
      { categoryId: null, categoryName: null, total: '5.00', lines: 1 },
      { categoryId: fruit.id, categoryName: 'Fruit', total: '0.30', lines: 2 },
    ]);
    expect(b.byMonth).toEqual([
      { month: '2026-10', total: '0.30', receipts: 1 },
      { month: '2026-11', total: '5.00', receipts: 1 },
    ]);
  });
});
