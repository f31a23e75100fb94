import { describe, expect, it } from 'vitest';
import { createRepositories, NotFoundError, ValidationError, type QueryEvent, type ReceiptItemInput } from '../src/index.js';
import { makeUser } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'receipts' });

function items(n: number): ReceiptItemInput[] {
  return Array.from({ length: n }, (_, i) => ({
    productName: `Item ${i + 1} ✓ żółw`,
    quantity: i % 3 === 0 ? '1.254' : '2',
    unitPrice: `${i}.99`,
    totalPrice: `${i}.99`,
    unit: i % 3 === 0 ? 'kg' : 'pcs',
  }));
}

async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: QueryEvent[] }> {
  const statements: QueryEvent[] = [];
  const listener = (e: QueryEvent) => statements.push(e);
  t.engine.events.on('query', listener);
  try {
    return { result: await fn(), statements };
  } finally {
    t.engine.events.off('query', listener);
  }
}

describe('ReceiptRepository.createWithItems', () => {
  it('writes the receipt and 30 items in one statement, keeping their order and exact values', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const { result, statements } = await countStatements(() =>
      repos.receipts.createWithItems({ userId: user.id, storeName: 'Biedronka', totalAmount: '442.70', purchaseDate: '2026-11-20' }, items(30)),
    );
    expect(statements).toHaveLength(1);
    expect(result).toMatchObject({ userId: user.id, storeName: 'Biedronka', totalAmount: '442.70', purchaseDate: '2026-11-20', metadata: {} });
    expect(result.items).toHaveLength(30);
    expect(result.items.map((i) => i.productName)).toEqual(items(30).map((i) => i.productName));
    expect(result.items[0]).toMatchObject({ quantity: '1.254', unitPrice: '0.99', unit: 'kg', receiptId: result.id });
    expect(result.items[0]!.createdAt).toBeInstanceOf(Date);
    expect(await repos.receipts.getReceiptWithItems(result.id)).toEqual(result);
  });

  it('defaults quantity to 1 and accepts negative discount lines', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const r = await repos.receipts.createWithItems({ userId: user.id }, [
      { productName: 'Bread' },
      { productName: 'Coupon', unitPrice: '-1.50', totalPrice: '-1.50' },
    ]);
    expect(r.items.map((i) => [i.quantity, i.totalPrice])).toEqual([
      ['1.000', null],
      ['1.000', '-1.50'],
    ]);
  });

  it('an invalid item 17 of 30 fails with path items.16..., and no receipt row is written', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const bad = items(30);
    bad[16] = { ...bad[16]!, unitPrice: '1.999' };
    const error = await repos.receipts.createWithItems({ userId: user.id, storeName: 'Bad' }, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: ['items', 16, 'unitPrice'], message: 'must have at most 2 decimal places' }]);
    expect(await repos.receipts.getUserReceipts(user.id)).toEqual([]);
  });

  it('a missing product fails the whole statement: no receipt, no items', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const error = await repos.receipts
      .createWithItems({ userId: user.id }, [{ productName: 'Ghost', productId: '00000000-0000-4000-8000-000000000000' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ field: 'productId' });
    expect(await repos.receipts.getUserReceipts(user.id)).toEqual([]);
  });

  it('refuses a negative total', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    await expect(repos.receipts.createWithItems({ userId: user.id, totalAmount: '-3.00' }, [])).rejects.toThrow(/receipt\.totalAmount: must not be negative/);
  });
});

describe('ReceiptRepository reads', () => {
  it('getUserReceipts: newest purchase first, with inclusive date filters', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    for (const date of ['2026-10-01', '2026-11-15', '2026-11-01', '2026-12-01']) {
      await repos.receipts.create({ userId: user.id, purchaseDate: date, totalAmount: '1.00' });
    }
    expect((await repos.receipts.getUserReceipts(user.id)).map((r) => r.purchaseDate)).toEqual(['2026-12-01', '2026-11-15', '2026-11-01', '2026-10-01']);
    const nov = await repos.receipts.getUserReceipts(user.id, { startDate: '2026-11-01', endDate: '2026-11-30' });
    expect(nov.map((r) => r.purchaseDate)).toEqual(['2026-11-15', '2026-11-01']);
    expect((await repos.receipts.getUserReceipts(user.id, { startDate: '2026-11-15' })).map((r) => r.purchaseDate)).toEqual(['2026-12-01', '2026-11-15']);
    await expect(repos.receipts.getUserReceipts(user.id, { startDate: '2026-13-01' })).rejects.toThrow(/startDate/);
  });

  it('getUserSpendingStats is exact: 0.10 + 0.20 = 0.30', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    for (const amount of ['0.10', '0.20', '10.00']) await repos.receipts.create({ userId: user.id, purchaseDate: '2026-11-10', totalAmount: amount });
    await repos.receipts.create({ userId: user.id, purchaseDate: '2026-12-10', totalAmount: '99.99' });
    expect(await repos.receipts.getUserSpendingStats(user.id, '2026-11-01', '2026-11-30')).toEqual({
      totalSpent: '10.30',
      receiptCount: 3,
      avgReceipt: '3.43',
    });
    expect(await repos.receipts.getUserSpendingStats(user.id, '2020-01-01', '2020-12-31')).toEqual({
      totalSpent: '0.00',
      receiptCount: 0,
      avgReceipt: null,
    });
  });

  it('getReceiptWithItems returns null for a missing receipt and [] items for an empty one', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    expect(await repos.receipts.getReceiptWithItems('00000000-0000-4000-8000-000000000000')).toBeNull();
    const r = await repos.receipts.create({ userId: user.id });
    expect((await repos.receipts.getReceiptWithItems(r.id))!.items).toEqual([]);
  });
});
