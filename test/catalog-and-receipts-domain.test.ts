import { describe, expect, it } from 'vitest';
import { createRepositories, NotFoundError, PantryLedger, ValidationError } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'domain_catalog' });

describe('the category tree', () => {
  it('reads a subtree and the ancestors in one recursive query each, and refuses cycles', async () => {
    const repos = createRepositories(t.engine);
    const food = await repos.categories.create({ name: unique('Food').slice(0, 100) });
    const dairy = await repos.categories.create({ name: 'Dairy', parentId: food.id });
    const cheese = await repos.categories.create({ name: 'Cheese', parentId: dairy.id });
    const hard = await repos.categories.create({ name: 'Hard cheese', parentId: cheese.id });
    const veg = await repos.categories.create({ name: 'Vegetables', parentId: food.id });

    const subtree = await repos.categories.getSubtree(food.id);
    expect(subtree.map((c) => [c.name, c.depth])).toEqual([
      [food.name, 0],
      ['Dairy', 1],
      ['Cheese', 2],
      ['Hard cheese', 3],
      ['Vegetables', 1],
    ]);
    expect((await repos.categories.getAncestors(hard.id)).map((c) => c.id)).toEqual([cheese.id, dairy.id, food.id]);
    expect(await repos.categories.getAncestors(food.id)).toEqual([]);

    await expect(repos.categories.move(dairy.id, hard.id)).rejects.toThrow(/cannot move a category under itself or one of its descendants/);
    await expect(repos.categories.move(dairy.id, dairy.id)).rejects.toBeInstanceOf(ValidationError);
    expect((await repos.categories.get(dairy.id))!.parentId).toBe(food.id);
    expect((await repos.categories.move(cheese.id, veg.id)).parentId).toBe(veg.id);
    expect((await repos.categories.move(cheese.id, null)).parentId).toBeNull();
    await expect(repos.categories.move('00000000-0000-4000-8000-000000000000', null)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists products by category including subcategories', async () => {
    const repos = createRepositories(t.engine);
    const dairy = await repos.categories.create({ name: 'Dairy 2' });
    const cheese = await repos.categories.create({ name: 'Cheese 2', parentId: dairy.id });
    const milk = await repos.products.create({ name: 'Milk 2', categoryId: dairy.id });
    const gouda = await repos.products.create({ name: 'Gouda 2', categoryId: cheese.id });
    expect((await repos.products.getByCategory(dairy.id)).map((p) => p.id)).toEqual([milk.id]);
    expect((await repos.products.getByCategory(dairy.id, { includeSubcategories: true })).map((p) => p.id)).toEqual([gouda.id, milk.id]);
  });
});

describe('typo-tolerant product search', () => {
  it('finds products despite typos, best match first', async () => {
    const repos = createRepositories(t.engine);
    const tomatoes = await repos.products.create({ name: 'Tomatoes' });
    await repos.products.create({ name: 'Potatoes' });
    const yoghurt = await repos.products.create({ name: 'Greek yoghurt' });
    const found = await repos.products.search('tomatos');
    expect(found[0]!.id).toBe(tomatoes.id);
    expect(found[0]!.similarity).toBeGreaterThan(0.5);
    expect((await repos.products.search('yogurt'))[0]!.id).toBe(yoghurt.id);
    expect(await repos.products.search('xylophone')).toEqual([]);
  });
});

describe('receipts into the pantry', () => {
  it('proposes products by similarity, learns accepted matches per store, and stocks matched lines as priced lots', async () => {
    const repos = createRepositories(t.engine);
    const ledger = new PantryLedger(t.engine);
    const user = await makeUser(repos, 'stocker');
    const milk = await repos.products.create({ name: 'Milk', storageInfo: { shelfLifeDays: 7 } });
    const bread = await repos.products.create({ name: 'Rye bread' });
    const first = await repos.receipts.createWithItems({ userId: user.id, storeName: 'Lidl', purchaseDate: '2026-11-20', totalAmount: '9.47' }, [
      { productName: 'MILK 3.2% 1L', quantity: '2', unit: 'szt', unitPrice: '2.49', totalPrice: '4.98' },
      { productName: 'CHLEB ZYTNI', totalPrice: '4.49' },
      { productName: 'Rabat', totalPrice: '-0.00' },
    ]);
    const proposals = await repos.receipts.matchReceiptItems(first.id, { userId: user.id });
    expect(proposals.map((p) => [p.productName, p.productId, p.source])).toEqual([
      ['MILK 3.2% 1L', milk.id, 'similar'],
      ['CHLEB ZYTNI', null, null],
      ['Rabat', null, null],
    ]);
    await repos.receipts.acceptMatch(user.id, first.items[0]!.id, milk.id);
    const accepted = await repos.receipts.acceptMatch(user.id, first.items[1]!.id, bread.id);
    expect(accepted).toMatchObject({ productId: bread.id, productName: 'CHLEB ZYTNI' });

    const lots = await ledger.stockFromReceipt(user.id, first.id);
    expect(lots.map((c) => [c.lot.productId, c.lot.quantity, c.lot.unit, c.lot.unitPrice, c.lot.storeName, c.lot.purchaseDate, c.lot.expiryDate])).toEqual([
      [milk.id, '2.000', 'pcs', '2.4900', 'Lidl', '2026-11-20', '2026-11-27'],
      [bread.id, '1.000', 'pcs', '4.4900', 'Lidl', '2026-11-20', null],
    ]);
    expect(lots[0]!.event).toMatchObject({ eventType: 'added', value: '4.98', receiptItemId: first.items[0]!.id });
    expect(await ledger.stockFromReceipt(user.id, first.id)).toEqual([]);

    // The next receipt from the same store: the accepted line is known.
    const second = await repos.receipts.createWithItems({ userId: user.id, storeName: 'LIDL' }, [{ productName: 'chleb zytni ' }]);
    expect((await repos.receipts.matchReceiptItems(second.id, { userId: user.id }))[0]).toMatchObject({ productId: bread.id, source: 'learned', similarity: 1 });
    const elsewhere = await repos.receipts.createWithItems({ userId: user.id, storeName: 'Biedronka' }, [{ productName: 'CHLEB ZYTNI' }]);
    expect((await repos.receipts.matchReceiptItems(elsewhere.id, { userId: user.id }))[0]!.source).not.toBe('learned');

    const other = await makeUser(repos, 'nosy');
    expect(await repos.receipts.matchReceiptItems(first.id, { userId: other.id })).toEqual([]);
    expect(await repos.receipts.acceptMatch(other.id, second.items[0]!.id, milk.id)).toBeNull();
    await expect(ledger.stockFromReceipt(other.id, first.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('breaks spending down by store, category and month, exactly', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos, 'spender');
    const fruit = await repos.categories.create({ name: 'Fruit' });
    const apple = await repos.products.create({ name: 'Apple', categoryId: fruit.id });
    await repos.receipts.createWithItems({ userId: user.id, storeName: 'Lidl', purchaseDate: '2026-10-05', totalAmount: '0.30' }, [
      { productName: 'APPLE', productId: apple.id, totalPrice: '0.10' },
      { productName: 'APPLE', productId: apple.id, totalPrice: '0.20' },
    ]);
    await repos.receipts.createWithItems({ userId: user.id, storeName: 'Aldi', purchaseDate: '2026-11-05', totalAmount: '5.00' }, [
      { productName: 'SOAP', totalPrice: '5.00' },
    ]);
    const b = await repos.receipts.getSpendingBreakdown(user.id, '2026-01-01', '2026-12-31');
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
