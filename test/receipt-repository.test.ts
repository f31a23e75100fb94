import { describe, expect, it } from 'vitest';
import { createFoodsave, NotFoundError, ValidationError, withTransaction, type QueryEvent, type ReceiptItemInput } from '../src/index.js';
import { makeUser } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'receipts' });
const MISSING = '00000000-0000-4000-8000-000000000000';

/** A new user and their scope. */
async function newUser() {
  const db = createFoodsave(t.engine);
  const user = await makeUser(db);
  return { db, user, me: db.forUser(user.id) };
}

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
    const { db, user, me } = await newUser();
    const { result, statements } = await countStatements(() =>
      me.receipts.createWithItems({ storeName: 'Biedronka', totalAmount: '442.70', purchaseDate: '2026-11-20' }, items(30)),
    );
    expect(statements).toHaveLength(1);
    expect(result).toMatchObject({ userId: user.id, storeName: 'Biedronka', totalAmount: '442.70', purchaseDate: '2026-11-20', metadata: {} });
    expect(result.items).toHaveLength(30);
    expect(result.items.map((i) => i.productName)).toEqual(items(30).map((i) => i.productName));
    expect(result.items[0]).toMatchObject({ quantity: '1.254', unitPrice: '0.99', unit: 'kg', receiptId: result.id });
    expect(result.items[0]!.createdAt).toBeInstanceOf(Date);
    expect(await me.receipts.getReceiptWithItems(result.id)).toEqual(result);
    expect(await db.admin.receipts.getReceiptWithItems(result.id)).toEqual(result);
  });

  it('the back-office form names the user, also in one statement', async () => {
    const { db, user } = await newUser();
    const { result, statements } = await countStatements(() => db.admin.receipts.createWithItems({ userId: user.id, storeName: 'Lidl' }, items(3)));
    expect(statements).toHaveLength(1);
    expect(result).toMatchObject({ userId: user.id, storeName: 'Lidl' });
    expect(result.items).toHaveLength(3);
    expect(await db.forUser(user.id).receipts.getReceiptWithItems(result.id)).toEqual(result);
  });

  it('defaults quantity to 1 and accepts negative discount lines', async () => {
    const { db, user, me } = await newUser();
    const r = await me.receipts.createWithItems({}, [
      { productName: 'Bread' },
      { productName: 'Coupon', unitPrice: '-1.50', totalPrice: '-1.50' },
    ]);
    expect(r.items.map((i) => [i.quantity, i.totalPrice])).toEqual([
      ['1.000', null],
      ['1.000', '-1.50'],
    ]);
  });

  it('an invalid item 17 of 30 fails with path items.16..., and no receipt row is written', async () => {
    const { db, user, me } = await newUser();
    const bad = items(30);
    bad[16] = { ...bad[16]!, unitPrice: '1.999' };
    const error = await me.receipts.createWithItems({ storeName: 'Bad' }, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: ['items', 16, 'unitPrice'], message: 'must have at most 2 decimal places' }]);
    expect(await me.receipts.listByPurchaseDate()).toEqual([]);
    expect(await db.admin.receipts.getUserReceipts(user.id)).toEqual([]);
  });

  it('a missing product fails the whole statement: no receipt, no items', async () => {
    const { db, user, me } = await newUser();
    const error = await me.receipts
      .createWithItems({}, [{ productName: 'Ghost', productId: MISSING }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ field: 'productId' });
    expect(await me.receipts.listByPurchaseDate()).toEqual([]);
    expect(await db.admin.receipts.getUserReceipts(user.id)).toEqual([]);
  });

  it("another user's conversation fails like a missing one: no receipt, no items", async () => {
    const { db, user, me } = await newUser();
    const stranger = db.forUser((await makeUser(db)).id);
    const theirs = await stranger.conversations.create({ sessionId: `r-${user.id}` });
    for (const conversationId of [theirs.id, MISSING]) {
      const error = await me.receipts.createWithItems({ conversationId }, [{ productName: 'Milk' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ field: 'conversationId' });
    }
    expect(await me.receipts.listByPurchaseDate()).toEqual([]);
    const mine = await me.conversations.create({ sessionId: `r2-${user.id}` });
    expect((await me.receipts.createWithItems({ conversationId: mine.id }, [])).conversationId).toBe(mine.id);
  });

  it('refuses an options object with an unknown key, naming it, and writes nothing', async () => {
    const { db, user, me } = await newUser();
    await withTransaction(t.engine, async (transaction) => {
      for (const [options, key] of [
        [{ userId: undefined }, 'userId'],
        [{ userId: user.id }, 'userId'],
        [{ transacton: transaction }, 'transacton'],
      ] as const) {
        for (const create of [
          () => me.receipts.createWithItems({ storeName: 'Opt' }, items(2), options as never),
          () => db.admin.receipts.createWithItems({ userId: user.id, storeName: 'Opt' }, items(2), options as never),
        ]) {
          const error = await create().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fields).toEqual([key]);
          expect((error as Error).message).toContain(key);
        }
      }
      await expect(me.receipts.getReceiptWithItems(MISSING, { userId: undefined } as never)).rejects.toThrow(/userId: is not an option here/);
    });
    expect(await me.receipts.listByPurchaseDate()).toEqual([]);
  });

  it('refuses a negative total', async () => {
    const { db, user, me } = await newUser();
    await expect(me.receipts.createWithItems({ totalAmount: '-3.00' }, [])).rejects.toThrow(/receipt\.totalAmount: must not be negative/);
    // In a user's scope the receipt may not name its owner.
    const error = await me.receipts.createWithItems({ userId: user.id } as never, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual(['receipt.userId']);
    expect(await db.admin.receipts.getUserReceipts(user.id)).toEqual([]);
  });
});

describe('ReceiptRepository reads', () => {
  it('listByPurchaseDate / getUserReceipts: newest purchase first, with inclusive date filters', async () => {
    const { db, user, me } = await newUser();
    for (const date of ['2026-10-01', '2026-11-15', '2026-11-01', '2026-12-01']) {
      await me.receipts.create({ purchaseDate: date, totalAmount: '1.00' });
    }
    const other = db.forUser((await makeUser(db)).id);
    await other.receipts.create({ purchaseDate: '2026-11-10', totalAmount: '5.00' });
    expect((await me.receipts.listByPurchaseDate()).map((r) => r.purchaseDate)).toEqual(['2026-12-01', '2026-11-15', '2026-11-01', '2026-10-01']);
    expect((await db.admin.receipts.getUserReceipts(user.id)).map((r) => r.purchaseDate)).toEqual(['2026-12-01', '2026-11-15', '2026-11-01', '2026-10-01']);
    const nov = await me.receipts.listByPurchaseDate({ from: '2026-11-01', to: '2026-11-30' });
    expect(nov.map((r) => r.purchaseDate)).toEqual(['2026-11-15', '2026-11-01']);
    expect(await db.admin.receipts.getUserReceipts(user.id, { from: '2026-11-01', to: '2026-11-30' })).toEqual(nov);
    expect((await me.receipts.listByPurchaseDate({ from: '2026-11-15' })).map((r) => r.purchaseDate)).toEqual(['2026-12-01', '2026-11-15']);
    expect((await me.receipts.listByPurchaseDate({ to: '2026-11-01' })).map((r) => r.purchaseDate)).toEqual(['2026-11-01', '2026-10-01']);
    await expect(me.receipts.listByPurchaseDate({ from: '2026-13-01' })).rejects.toThrow(/from/);
    await expect(me.receipts.listByPurchaseDate({ startDate: '2026-11-01' } as never)).rejects.toThrow(/startDate: is not an allowed field/);
  });

  it('getSpendingStats is exact: 0.10 + 0.20 = 0.30', async () => {
    const { db, me } = await newUser();
    for (const amount of ['0.10', '0.20', '10.00']) await me.receipts.create({ purchaseDate: '2026-11-10', totalAmount: amount });
    await me.receipts.create({ purchaseDate: '2026-12-10', totalAmount: '99.99' });
    // Another user's receipts in the same month are not counted.
    await db.forUser((await makeUser(db)).id).receipts.create({ purchaseDate: '2026-11-10', totalAmount: '7.00' });
    expect(await me.receipts.getSpendingStats({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      totalSpent: '10.30',
      receiptCount: 3,
      avgReceipt: '3.43',
    });
    expect(await me.receipts.getSpendingStats({ from: '2020-01-01', to: '2020-12-31' })).toEqual({
      totalSpent: '0.00',
      receiptCount: 0,
      avgReceipt: null,
    });
  });

  it('getReceiptWithItems returns null for a missing receipt and [] items for an empty one', async () => {
    const { db, me } = await newUser();
    expect(await me.receipts.getReceiptWithItems(MISSING)).toBeNull();
    const r = await me.receipts.create({});
    expect((await me.receipts.getReceiptWithItems(r.id))!.items).toEqual([]);
    // Another user's scope does not see it; the back office does.
    expect(await db.forUser((await makeUser(db)).id).receipts.getReceiptWithItems(r.id)).toBeNull();
    expect((await db.admin.receipts.getReceiptWithItems(r.id))!.id).toBe(r.id);
  });
});
