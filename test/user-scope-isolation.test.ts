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
import { makeScopeRows, SCOPE_CALLS, WHOLE_YEAR, type ScopeCall, type ScopeCalls, type ScopeIds } from './support/scope-calls.js';
import { useTestDatabase, tbl } from './support/test-database.js';

const t = useTestDatabase({ label: 'scope_isolation' });

/** User B's rows, and catalogue rows they use. Every case acts as user A on them. */
interface B extends ScopeIds {
  userId: string;
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
  b = { userId: bob.id, ...(await makeScopeRows(db, me, 'bob-secret-message')) };
  bBefore = (await me.account.exportData())!;
  const owned = (Object.keys(bBefore) as (keyof UserDataExport)[])
    .filter((k) => Array.isArray(bBefore[k]))
    .flatMap((k) => (bBefore[k] as unknown as { id?: string }[]).flatMap((row) => (row.id ? [row.id] : [])));
  bMarkers = [b.userId, ...owned, 'bob-secret-message', b.sessionId];
  expect(owned.length).toBeGreaterThanOrEqual(8);
});

/**
 * One call per method of the scope: A calls it with B's ids where it takes ids, and otherwise as A
 * would. The test below makes a method without a call a failure.
 */
const CASES: ScopeCalls = SCOPE_CALLS;

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
      expect(Object.keys(CASES[part as keyof ScopeCalls]).sort(), part).toEqual([...methods].sort());
    }
    // The parts are getters on the scope's class; the scope has no member beyond them and its user id.
    const members = [...Object.keys(a), ...Object.getOwnPropertyNames(Object.getPrototypeOf(a)).filter((n) => n !== 'constructor')];
    expect(members.sort()).toEqual(['userId', ...Object.keys(USER_SCOPE_METHODS)].sort());
  });

  for (const [part, methods] of Object.entries(CASES)) {
    for (const [method, run] of Object.entries(methods as Record<string, ScopeCall>)) {
      it(`${part}.${method} finds nothing of B's and changes nothing`, async () => {
        let result: unknown;
        try {
          result = await run(a, b, db);
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
      () => a.receipts.getSpendingStats(WHOLE_YEAR, options as never),
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
