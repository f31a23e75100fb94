import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createRepositories, ValidationError } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'users' });

describe('UserRepository', () => {
  it('getByUsername is exact; getByEmail ignores case', async () => {
    const repos = createRepositories(t.engine);
    const name = unique('Ana');
    const user = await repos.users.create({ username: name, email: `${name}@Example.COM` });
    expect(await repos.users.getByUsername(name)).toEqual(user);
    expect(await repos.users.getByUsername(name.toLowerCase())).toBeNull();
    expect(await repos.users.getByEmail(`${name.toUpperCase()}@example.com`)).toEqual(user);
    expect(await repos.users.getByEmail('nobody@example.com')).toBeNull();
  });

  it('updatePreferences merges a validated patch', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    await repos.users.updatePreferences(user.id, { householdSize: 3, diet: ['vegetarian'] });
    const updated = await repos.users.updatePreferences(user.id, { currency: 'PLN' });
    expect(updated!.preferences).toEqual({ householdSize: 3, diet: ['vegetarian'], currency: 'PLN' });
    const error = await repos.users.updatePreferences(user.id, { householdSize: 0, colour: 'red' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.sort()).toEqual(['colour', 'householdSize']);
    expect((await repos.users.get(user.id))!.preferences).toEqual({ householdSize: 3, diet: ['vegetarian'], currency: 'PLN' });
    expect(await repos.users.updatePreferences('00000000-0000-4000-8000-000000000000', { currency: 'EUR' })).toBeNull();
  });

  it('deleteUser erases everything the user owns', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const product = await repos.products.create({ name: 'Eggs' });
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('del') });
    await repos.conversations.addMessage(c.id, 'hi', 'user');
    await repos.receipts.createWithItems({ userId: user.id, conversationId: c.id }, [{ productName: 'EGGS', productId: product.id }]);
    await repos.pantryItems.create({ userId: user.id, productId: product.id, quantity: '6', unit: 'pcs' });
    const plan = await repos.mealPlans.create({ userId: user.id, planDate: '2026-11-27', mealType: 'breakfast' });
    await repos.mealPlans.addItem(plan.id, { productId: product.id, quantity: '2', unit: 'pcs' });

    expect(await repos.users.deleteUser(user.id)).toBe(true);
    expect(await repos.users.deleteUser(user.id)).toBe(false);
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM conversations WHERE user_id = $1)::int
            + (SELECT count(*) FROM messages WHERE conversation_id = $2)::int
            + (SELECT count(*) FROM receipts WHERE user_id = $1)::int
            + (SELECT count(*) FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id WHERE r.user_id = $1)::int
            + (SELECT count(*) FROM pantry_items WHERE user_id = $1)::int
            + (SELECT count(*) FROM meal_plans WHERE user_id = $1)::int
            + (SELECT count(*) FROM meal_plan_items WHERE meal_plan_id = $3)::int AS left`,
      [user.id, c.id, plan.id],
    );
    await client.end();
    expect(rows[0].left).toBe(0);
  });

  it('exportUserData returns every row the user owns as one JSON document, and nothing of others', async () => {
    const repos = createRepositories(t.engine);
    const user = await makeUser(repos);
    const other = await makeUser(repos);
    const product = await repos.products.create({ name: 'Milk' });
    const c = await repos.conversations.create({ userId: user.id, sessionId: unique('exp') });
    await repos.conversations.addMessage(c.id, 'hello', 'user');
    await repos.receipts.createWithItems({ userId: user.id, totalAmount: '3.10', purchaseDate: '2026-11-01' }, [
      { productName: 'MILK', productId: product.id, unitPrice: '3.10', totalPrice: '3.10' },
    ]);
    await repos.pantryItems.create({ userId: user.id, productId: product.id, quantity: '0.5', unit: 'l', expiryDate: '2026-11-30' });
    const plan = await repos.mealPlans.create({ userId: user.id, planDate: '2026-11-28' });
    await repos.mealPlans.addItem(plan.id, { productId: product.id, quantity: '0.2', unit: 'l' });
    await repos.conversations.create({ userId: other.id, sessionId: unique('other') });

    const doc = await repos.users.exportUserData(user.id);
    expect(doc).not.toBeNull();
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc!.user).toMatchObject({ id: user.id, username: user.username });
    expect(doc!.conversations).toHaveLength(1);
    expect(doc!.conversations[0]!.messages[0]).toMatchObject({ content: 'hello', role: 'user' });
    expect(doc!.receipts[0]).toMatchObject({ totalAmount: '3.10', purchaseDate: '2026-11-01' });
    expect(doc!.receipts[0]!.items[0]).toMatchObject({ productName: 'MILK', unitPrice: '3.10', quantity: '1.000' });
    expect(doc!.pantryItems).toEqual([expect.objectContaining({ quantity: '0.500', unit: 'l', expiryDate: '2026-11-30' })]);
    expect(doc!.mealPlans[0]!.items[0]).toMatchObject({ quantity: '0.200', unit: 'l' });
    expect(JSON.stringify(doc)).not.toContain(other.id);
    expect(await repos.users.exportUserData('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
