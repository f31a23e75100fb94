import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createFoodsave, ValidationError, withTransaction } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase, rawUrl } from './support/test-database.js';

const t = useTestDatabase({ label: 'users' });
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('UserRepository', () => {
  it('getByUsername is exact; getByEmail ignores case', async () => {
    const { admin } = createFoodsave(t.engine);
    const name = unique('Ana');
    const user = await admin.users.create({ username: name, email: `${name}@Example.COM` });
    expect(await admin.users.getByUsername(name)).toEqual(user);
    expect(await admin.users.getByUsername(name.toLowerCase())).toBeNull();
    expect(await admin.users.getByEmail(`${name.toUpperCase()}@example.com`)).toEqual(user);
    expect(await admin.users.getByEmail('nobody@example.com')).toBeNull();
  });

  it('updatePreferences merges a validated patch', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    await me.account.updatePreferences({ householdSize: 3, diet: ['vegetarian'] });
    const updated = await me.account.updatePreferences({ currency: 'PLN' });
    expect(updated!.preferences).toEqual({ householdSize: 3, diet: ['vegetarian'], currency: 'PLN' });
    const error = await me.account.updatePreferences({ householdSize: 0, colour: 'red' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.sort()).toEqual(['colour', 'householdSize']);
    expect((await me.account.get())!.preferences).toEqual({ householdSize: 3, diet: ['vegetarian'], currency: 'PLN' });
    expect(await db.forUser(MISSING).account.updatePreferences({ currency: 'EUR' })).toBeNull();
    // The back-office form names the user, and merges the same way.
    const merged = await db.admin.users.updatePreferences(user.id, { householdSize: 4 });
    expect(merged!.preferences).toEqual({ householdSize: 4, diet: ['vegetarian'], currency: 'PLN' });
    expect(await db.admin.users.updatePreferences(MISSING, { currency: 'EUR' })).toBeNull();
    // Another user's preferences are untouched.
    const other = await makeUser(db);
    expect((await db.admin.users.get(other.id))!.preferences).toEqual(other.preferences);
  });

  it('refuses an options object with an unknown key, naming it, and writes nothing', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    await withTransaction(t.engine, async (transaction) => {
      for (const [options, key] of [
        [{ userId: undefined }, 'userId'],
        [{ userId: user.id }, 'userId'],
        [{ transacton: transaction }, 'transacton'],
      ] as const) {
        for (const call of [
          () => me.account.updatePreferences({ currency: 'USD' }, options as never),
          () => me.account.delete(options as never),
          () => me.account.exportData(options as never),
        ]) {
          const error = await call().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).fields).toEqual([key]);
          expect((error as Error).message).toContain(key);
        }
      }
    });
    expect(await me.account.get()).toEqual(user);
  });

  it('deleting a user erases everything the user owns', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const me = db.forUser(user.id);
    const product = await db.catalog.products.create({ name: 'Eggs' });
    const c = await me.conversations.create({ sessionId: unique('del') });
    await me.conversations.addMessage(c.id, { content: 'hi', role: 'user' });
    await me.receipts.createWithItems({ conversationId: c.id }, [{ productName: 'EGGS', productId: product.id }]);
    await me.pantry.create({ productId: product.id, quantity: '6', unit: 'pcs' });
    const plan = await me.mealPlans.create({ planDate: '2026-11-27', mealType: 'breakfast' });
    await me.mealPlans.addItem(plan.id, { productId: product.id, quantity: '2', unit: 'pcs' });
    // A second user, deleted through the back office.
    const second = await makeUser(db);
    await db.forUser(second.id).conversations.create({ sessionId: unique('del2') });

    expect(await me.account.delete()).toBe(true);
    expect(await me.account.delete()).toBe(false);
    expect(await me.account.get()).toBeNull();
    expect(await db.admin.users.deleteUser(second.id)).toBe(true);
    expect(await db.admin.users.deleteUser(second.id)).toBe(false);
    const client = new pg.Client({ connectionString: rawUrl(t.url) });
    await client.connect();
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM conversations WHERE user_id = ANY($4::uuid[]))::int
            + (SELECT count(*) FROM messages WHERE conversation_id = $2)::int
            + (SELECT count(*) FROM receipts WHERE user_id = $1)::int
            + (SELECT count(*) FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id WHERE r.user_id = $1)::int
            + (SELECT count(*) FROM pantry_items WHERE user_id = $1)::int
            + (SELECT count(*) FROM pantry_events WHERE user_id = $1)::int
            + (SELECT count(*) FROM meal_plans WHERE user_id = $1)::int
            + (SELECT count(*) FROM meal_plan_items WHERE meal_plan_id = $3)::int AS left`,
      [user.id, c.id, plan.id, [user.id, second.id]],
    );
    await client.end();
    expect(rows[0].left).toBe(0);
    // The shared catalogue stays.
    expect(await db.catalog.products.get(product.id)).toEqual(product);
  });

  it('exportData returns every row the user owns as one flat JSON document, one array per table, and nothing of others', async () => {
    const db = createFoodsave(t.engine);
    const user = await makeUser(db);
    const other = await makeUser(db);
    const me = db.forUser(user.id);
    const product = await db.catalog.products.create({ name: 'Milk' });
    const c = await me.conversations.create({ sessionId: unique('exp') });
    await me.conversations.addMessage(c.id, { content: 'hello', role: 'user' });
    const receipt = await me.receipts.createWithItems({ storeName: 'Corner shop', totalAmount: '3.10', purchaseDate: '2026-11-01' }, [
      { productName: 'MILK', unitPrice: '3.10', totalPrice: '3.10' },
    ]);
    await me.receipts.acceptMatch(receipt.items[0]!.id, product.id);
    const lot = await me.pantry.create({ productId: product.id, quantity: '0.5', unit: 'l', expiryDate: '2026-11-30' });
    const plan = await me.mealPlans.create({ planDate: '2026-11-28' });
    await me.mealPlans.addItem(plan.id, { productId: product.id, quantity: '0.2', unit: 'l' });
    const theirs = db.forUser(other.id);
    const otherConversation = await theirs.conversations.create({ sessionId: unique('other') });
    await theirs.conversations.addMessage(otherConversation.id, { content: 'not yours', role: 'user' });
    await theirs.pantry.create({ productId: product.id, quantity: '1', unit: 'l' });

    const doc = await me.account.exportData();
    expect(doc).not.toBeNull();
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(Object.keys(doc!).sort()).toEqual(
      [
        'exportedAt', 'user', 'conversations', 'messages', 'receipts', 'receiptItems',
        'pantryItems', 'pantryEvents', 'productMatches', 'mealPlans', 'mealPlanItems',
      ].sort(),
    );
    expect(doc!.user).toMatchObject({ id: user.id, username: user.username });
    expect(doc!.conversations).toEqual([expect.objectContaining({ id: c.id, userId: user.id })]);
    expect(doc!.conversations[0]).not.toHaveProperty('messages');
    expect(doc!.messages).toEqual([expect.objectContaining({ conversationId: c.id, content: 'hello', role: 'user' })]);
    expect(doc!.receipts).toEqual([expect.objectContaining({ id: receipt.id, totalAmount: '3.10', purchaseDate: '2026-11-01' })]);
    expect(doc!.receipts[0]).not.toHaveProperty('items');
    expect(doc!.receiptItems).toEqual([
      expect.objectContaining({ receiptId: receipt.id, productName: 'MILK', unitPrice: '3.10', quantity: '1.000', productId: product.id }),
    ]);
    expect(doc!.pantryItems).toEqual([expect.objectContaining({ id: lot.id, quantity: '0.500', unit: 'l', expiryDate: '2026-11-30' })]);
    expect(doc!.pantryEvents).toEqual([expect.objectContaining({ pantryItemId: lot.id, eventType: 'added', quantity: '0.500' })]);
    expect(doc!.productMatches).toEqual([expect.objectContaining({ userId: user.id, productId: product.id, lineKey: 'milk' })]);
    expect(doc!.mealPlans).toEqual([expect.objectContaining({ id: plan.id, planDate: '2026-11-28' })]);
    expect(doc!.mealPlans[0]).not.toHaveProperty('items');
    expect(doc!.mealPlanItems).toEqual([expect.objectContaining({ mealPlanId: plan.id, quantity: '0.200', unit: 'l' })]);
    expect(JSON.stringify(doc)).not.toContain(other.id);
    expect(JSON.stringify(doc)).not.toContain('not yours');
    // The back-office form gives the same document.
    const { exportedAt: _a, ...adminDoc } = (await db.admin.users.exportUserData(user.id))!;
    const { exportedAt: _b, ...ownDoc } = doc!;
    expect(adminDoc).toEqual(ownDoc);
    expect(await db.forUser(MISSING).account.exportData()).toBeNull();
    expect(await db.admin.users.exportUserData(MISSING)).toBeNull();
  });
});
