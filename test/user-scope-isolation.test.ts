import { beforeAll, describe, expect, it } from 'vitest';
import {
  createFoodsave,
  FoodsaveDbError,
  NotFoundError,
  ValidationError,
  type Foodsave,
  type UserDataExport,
  type UserScope,
  withRowScope,
} from '../src/index.js';
import { USER_SCOPE_METHODS } from '../src/scope/user-scope.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase, tbl } from './support/test-database.js';

const t = useTestDatabase({ label: 'scope_isolation' });

/** User B's rows, and catalogue rows they use. Every case acts as user A on them. */
interface B {
  userId: string;
  conversationId: string;
  sessionId: string;
  receiptId: string;
  receiptItemId: string;
  lotId: string;
  eventId: string;
  planId: string;
  planItemId: string;
  productId: string;
  recipeId: string;
}

let db: Foodsave;
let a: UserScope;
let b: B;
let bBefore: UserDataExport;
/** Every id of B's, and B's secret message, which no result of A's may contain. */
let bMarkers: string[];

beforeAll(async () => {
  db = createFoodsave(t.engine);
  const alice = await makeUser(db, 'alice');
  const bob = await makeUser(db, 'bob');
  a = db.forUser(alice.id);
  const me = db.forUser(bob.id);
  const product = await db.catalog.products.create({ name: `Cheese ${unique('p')}` });
  const recipe = await db.catalog.recipes.createWithIngredients({ title: 'Cheese toast', servings: 1 }, [{ productId: product.id, quantity: '100', unit: 'g' }]);
  const conversation = await me.conversations.create({ sessionId: unique('bob') });
  await me.conversations.addMessage(conversation.id, { content: 'bob-secret-message', role: 'user' });
  const receipt = await me.receipts.createWithItems(
    { totalAmount: '9.99', purchaseDate: '2026-11-20', storeName: 'Lidl', conversationId: conversation.id },
    [{ productName: 'CHEESE 200G', productId: product.id, quantity: '1', unit: 'pcs', totalPrice: '9.99' }],
  );
  await me.receipts.acceptMatch(receipt.items[0]!.id, product.id);
  const { lot, event } = await me.ledger.addItem({ productId: product.id, quantity: '500', unit: 'g', totalPrice: '5.00', expiryDate: '2026-11-28' });
  const plan = await me.mealPlans.create({ planDate: '2026-11-27', recipeId: recipe.id });
  const planItem = await me.mealPlans.addItem(plan.id, { productId: product.id, quantity: '1', unit: 'pcs' });
  b = {
    userId: bob.id,
    conversationId: conversation.id,
    sessionId: conversation.sessionId,
    receiptId: receipt.id,
    receiptItemId: receipt.items[0]!.id,
    lotId: lot.id,
    eventId: event.id,
    planId: plan.id,
    planItemId: planItem.id,
    productId: product.id,
    recipeId: recipe.id,
  };
  bBefore = (await me.account.exportData())!;
  const owned = (Object.keys(bBefore) as (keyof UserDataExport)[])
    .filter((k) => Array.isArray(bBefore[k]))
    .flatMap((k) => (bBefore[k] as unknown as { id?: string }[]).flatMap((row) => (row.id ? [row.id] : [])));
  bMarkers = [b.userId, ...owned, 'bob-secret-message', b.sessionId];
  expect(owned.length).toBeGreaterThanOrEqual(8);
});

type Case = (me: UserScope, b: B) => Promise<unknown>;
type Cases = { [P in keyof typeof USER_SCOPE_METHODS]: Record<(typeof USER_SCOPE_METHODS)[P][number], Case> };

const range = { from: '2026-01-01', to: '2026-12-31' };

/**
 * One case per method of the scope: A calls it with B's ids where it takes ids, and otherwise as A
 * would. `satisfies` makes a method without a case a compile error; the test below makes it a failure.
 */
const CASES = {
  account: {
    get: (me) => me.account.get(),
    update: (me) => me.account.update({ username: unique('alice').slice(0, 50) }),
    updatePreferences: (me) => me.account.updatePreferences({ householdSize: 2 }),
    exportData: (me) => me.account.exportData(),
    exportDataPages: async (me) => {
      const pages = [];
      for await (const page of me.account.exportDataPages({ pageSize: 2 })) pages.push(page);
      return pages;
    },
    // Deletes a throwaway user of its own: the point is that it reaches no one else.
    delete: async () => db.forUser((await makeUser(db, 'gone')).id).account.delete(),
  },
  conversations: {
    get: (me, x) => me.conversations.get(x.conversationId),
    getBySessionId: (me, x) => me.conversations.getBySessionId(x.sessionId),
    list: (me) => me.conversations.list({ offset: 0, limit: 100 }),
    getMulti: (me) => me.conversations.getMulti(0, 100),
    getRecentConversations: (me) => me.conversations.getRecentConversations(1, 20),
    update: (me, x) => me.conversations.update(x.conversationId, { title: 'mine now' }),
    delete: (me, x) => me.conversations.delete(x.conversationId),
    addMessage: (me, x) => me.conversations.addMessage(x.conversationId, { content: 'injected', role: 'user' }),
    getConversationWithMessages: (me, x) => me.conversations.getConversationWithMessages(x.conversationId),
    getContextWindow: (me, x) => me.conversations.getContextWindow(x.conversationId, 10),
    create: (me) => me.conversations.create({ sessionId: unique('alice') }),
  },
  receipts: {
    get: (me, x) => me.receipts.get(x.receiptId),
    list: (me) => me.receipts.list(),
    getMulti: (me) => me.receipts.getMulti(0, 100),
    listByPurchaseDate: (me) => me.receipts.listByPurchaseDate(range),
    getReceiptWithItems: (me, x) => me.receipts.getReceiptWithItems(x.receiptId),
    update: (me, x) => me.receipts.update(x.receiptId, { totalAmount: '0.01' }),
    delete: (me, x) => me.receipts.delete(x.receiptId),
    getSpendingStats: (me) => me.receipts.getSpendingStats(range),
    getSpendingBreakdown: (me) => me.receipts.getSpendingBreakdown(range),
    matchReceiptItems: (me, x) => me.receipts.matchReceiptItems(x.receiptId),
    acceptMatch: (me, x) => me.receipts.acceptMatch(x.receiptItemId, x.productId),
    create: (me, x) => me.receipts.create({ totalAmount: '1.00', conversationId: x.conversationId }),
    createWithItems: (me, x) => me.receipts.createWithItems({ conversationId: x.conversationId }, [{ productName: 'X' }]),
  },
  pantry: {
    get: (me, x) => me.pantry.get(x.lotId),
    list: (me) => me.pantry.list(),
    getMulti: (me) => me.pantry.getMulti(0, 100),
    listItems: (me) => me.pantry.listItems(),
    update: (me, x) => me.pantry.update(x.lotId, { quantity: '0' }),
    delete: (me, x) => me.pantry.delete(x.lotId),
    getExpiringWithin: (me) => me.pantry.getExpiringWithin(3650, { asOf: '2026-01-01' }),
    create: (me, x) => me.pantry.create({ productId: x.productId, quantity: '1', unit: 'g' }),
  },
  ledger: {
    addItem: (me, x) => me.ledger.addItem({ productId: x.productId, quantity: '1', unit: 'pcs', receiptItemId: x.receiptItemId }),
    consume: (me, x) => me.ledger.consume(x.lotId, { quantity: '1', unit: 'g' }),
    discard: (me, x) => me.ledger.discard(x.lotId, { quantity: '1', unit: 'g' }, 'spoiled'),
    open: (me, x) => me.ledger.open(x.lotId),
    undoEvent: (me, x) => me.ledger.undoEvent(x.eventId),
    stockFromReceipt: (me, x) => me.ledger.stockFromReceipt(x.receiptId),
    getExpiringSoon: (me) => me.ledger.getExpiringSoon(3650, { asOf: '2026-01-01' }),
    getExpired: (me) => me.ledger.getExpired({ asOf: '2030-01-01' }),
    getOverdue: (me) => me.ledger.getOverdue({ asOf: '2030-01-01' }),
    getUseFirst: (me, x) => me.ledger.getUseFirst({ productId: x.productId }),
    // B's lots hold the product; A's pantry holds none, so A is short, and B's lots are untouched.
    consumeProduct: (me, x) => me.ledger.consumeProduct(x.productId, { quantity: '100', unit: 'g' }),
    cookRecipe: (me, x) => me.ledger.cookRecipe(x.recipeId),
    getWasteStats: (me) => me.ledger.getWasteStats(range),
  },
  mealPlans: {
    get: (me, x) => me.mealPlans.get(x.planId),
    list: (me) => me.mealPlans.list(),
    getMulti: (me) => me.mealPlans.getMulti(0, 100),
    getPlan: (me) => me.mealPlans.getPlan(range),
    update: (me, x) => me.mealPlans.update(x.planId, { notes: 'x' }),
    delete: (me, x) => me.mealPlans.delete(x.planId),
    addItem: (me, x) => me.mealPlans.addItem(x.planId, { productId: x.productId, quantity: '1' }),
    removeItem: (me, x) => me.mealPlans.removeItem(x.planItemId),
    getShoppingList: (me) => me.mealPlans.getShoppingList(range),
    create: (me) => me.mealPlans.create({ planDate: '2026-11-27' }),
  },
  recipes: {
    getCookableRecipes: (me) => me.recipes.getCookableRecipes({ maxMissing: 5, asOf: '2026-11-20' }),
  },
} satisfies Cases;

/** Cases where A is refused for want of their own stock, which is also "nothing of B's". */
const SHORT_OF_STOCK = new Set(['ledger.consumeProduct', 'ledger.cookRecipe']);

describe("user A inside forUser(A), given user B's ids", () => {
  it('has a case for every method of the scope, and the scope has no other method', () => {
    for (const [part, methods] of Object.entries(USER_SCOPE_METHODS)) {
      const facade = (a as unknown as Record<string, Record<string, unknown>>)[part]!;
      // Every key a for-in loop finds, its kind's prototype's included: the facade's methods are getters there.
      const keys: string[] = [];
      for (const key in facade) keys.push(key);
      expect(keys.sort(), part).toEqual([...methods].sort());
      for (const method of methods) expect(typeof facade[method], `${part}.${method}`).toBe('function');
      expect(Object.keys(CASES[part as keyof Cases]).sort(), part).toEqual([...methods].sort());
    }
    // The parts are getters on the scope's class; the scope has no member beyond them and its user id.
    const members = [...Object.keys(a), ...Object.getOwnPropertyNames(Object.getPrototypeOf(a)).filter((n) => n !== 'constructor')];
    expect(members.sort()).toEqual(['userId', ...Object.keys(USER_SCOPE_METHODS)].sort());
  });

  for (const [part, methods] of Object.entries(CASES)) {
    for (const [method, run] of Object.entries(methods as Record<string, Case>)) {
      it(`${part}.${method} finds nothing of B's and changes nothing`, async () => {
        let result: unknown;
        try {
          result = await run(a, b);
        } catch (error) {
          expect(error).toBeInstanceOf(FoodsaveDbError);
          const code = (error as FoodsaveDbError).code;
          if (SHORT_OF_STOCK.has(`${part}.${method}`)) expect(code).toBe('CONFLICT');
          else expect(error, String(error)).toBeInstanceOf(NotFoundError);
          return;
        }
        const text = JSON.stringify(result ?? null);
        for (const marker of bMarkers) expect(text, `${part}.${method} returned B's ${marker}`).not.toContain(marker);
      });
    }
  }

  it("leaves B's data exactly as it was", async () => {
    const after = (await db.forUser(b.userId).account.exportData())!;
    expect({ ...after, exportedAt: '' }).toEqual({ ...bBefore, exportedAt: '' });
  });
});

describe('scoping keys', () => {
  it('refuses a malformed or missing user id when the scope is made', () => {
    for (const bad of [undefined, null, '', 'not-a-uuid', 42]) {
      expect(() => db.forUser(bad as never)).toThrow(ValidationError);
    }
    try {
      db.forUser(undefined as never);
    } catch (error) {
      expect((error as ValidationError).fields).toEqual(['userId']);
    }
  });

  it.each([
    ['userId present but undefined', { userId: undefined }, 'userId'],
    ['userID misspelt', { userID: 'x' }, 'userID'],
    ['user_id misspelt', { user_id: 'x' }, 'user_id'],
    ['transaction misspelt', { transacton: null }, 'transacton'],
  ])('an options object with %s is a ValidationError naming it, and nothing is written', async (_, options, field) => {
    const before = await a.conversations.list();
    const calls = [
      () => a.conversations.get(b.conversationId, options as never),
      () => a.conversations.create({ sessionId: unique('x') }, options as never),
      () => a.receipts.getSpendingStats(range, options as never),
      () => a.ledger.getExpired(options as never),
      () => db.admin.conversations.getMulti(0, 10, options as never),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields).toEqual([field]);
    }
    expect(await a.conversations.list()).toEqual(before);
  });

  it('refuses userId in the input of a scoped create, even as undefined', async () => {
    await expect(a.conversations.create({ sessionId: unique('x'), userId: b.userId } as never)).rejects.toMatchObject({ fields: ['userId'] });
    await expect(a.conversations.create({ sessionId: unique('x'), userId: undefined } as never)).rejects.toMatchObject({ fields: ['userId'] });
  });

  it('back-office narrowing methods are absent from the scope at run time', () => {
    const receipts = a.receipts as unknown as Record<string, unknown>;
    const conversations = a.conversations as unknown as Record<string, unknown>;
    expect(receipts.getUserReceipts).toBeUndefined();
    expect(conversations.getUserConversations).toBeUndefined();
  });
});

describe('references must be the same user’s', () => {
  it("a receipt cannot reference another user's conversation, through the scope, the back office or raw SQL", async () => {
    const notFound = { code: 'NOT_FOUND', field: 'conversationId' };
    await expect(a.receipts.create({ conversationId: b.conversationId })).rejects.toMatchObject(notFound);
    await expect(a.receipts.createWithItems({ conversationId: b.conversationId }, [])).rejects.toMatchObject(notFound);
    const own = await a.receipts.create({});
    await expect(a.receipts.update(own.id, { conversationId: b.conversationId })).rejects.toMatchObject(notFound);
    await expect(db.admin.receipts.create({ userId: a.userId, conversationId: b.conversationId })).rejects.toMatchObject(notFound);
    // Raw SQL without a scope sees no receipt to change; in A's row scope the same-owner trigger refuses it.
    const raw = `UPDATE ${tbl('receipts')} SET conversation_id = '${b.conversationId}' WHERE id = '${own.id}'`;
    expect((await t.engine.sequelize.query(raw))[1]).toMatchObject({ rowCount: 0 });
    await expect(withRowScope(t.engine, { userId: a.userId }, (transaction) => t.engine.sequelize.query(raw, { transaction }))).rejects.toThrow(
      /violates foreign key constraint "receipts_conversation_id_fkey"/,
    );
    // A random id reads the same as B's: no existence oracle.
    await expect(a.receipts.create({ conversationId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject(notFound);
    const mine = await a.conversations.create({ sessionId: unique('a') });
    expect((await a.receipts.create({ conversationId: mine.id })).conversationId).toBe(mine.id);
  });

  it("a lot cannot reference another user's receipt line, and B's stocking still finds it", async () => {
    const notFound = { code: 'NOT_FOUND', field: 'receiptItemId' };
    await expect(a.ledger.addItem({ productId: b.productId, quantity: '1', unit: 'pcs', receiptItemId: b.receiptItemId })).rejects.toMatchObject(notFound);
    await expect(
      t.engine.sequelize.query(`INSERT INTO ${tbl('pantry_items')} (user_id, product_id, quantity, receipt_item_id) VALUES ('${a.userId}', '${b.productId}', 1, '${b.receiptItemId}')`),
    ).rejects.toThrow(/pantry_items_receipt_item_id_fkey/);
    const lots = await db.forUser(b.userId).ledger.stockFromReceipt(b.receiptId);
    expect(lots.map((l) => l.lot.receiptItemId)).toEqual([b.receiptItemId]);
    await db.forUser(b.userId).ledger.undoEvent(lots[0]!.event.id);
  });
});
