import { beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, NotFoundError, type Repositories, type UserDataExport } from '../src/index.js';
import { makeUser, unique } from './support/fixtures.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'scoping' });

/** User B's rows; every test acts as user A on them. */
let repos: Repositories;
let a: { id: string };
let b: { id: string };
let bConversation: { id: string; sessionId: string };
let bReceipt: { id: string };
let bPantry: { id: string };
let bPlan: { id: string };
let bPlanItem: { id: string };
let snapshot: UserDataExport;

beforeAll(async () => {
  repos = createRepositories(t.engine);
  a = await makeUser(repos, 'alice');
  b = await makeUser(repos, 'bob');
  const product = await repos.products.create({ name: 'Cheese' });
  bConversation = await repos.conversations.create({ userId: b.id, sessionId: unique('bob') });
  await repos.conversations.addMessage(bConversation.id, 'secret', 'user');
  bReceipt = await repos.receipts.createWithItems({ userId: b.id, totalAmount: '9.99', purchaseDate: '2026-11-20' }, [{ productName: 'CHEESE' }]);
  bPantry = await repos.pantryItems.create({ userId: b.id, productId: product.id, quantity: '1', expiryDate: '2026-11-27' });
  bPlan = await repos.mealPlans.create({ userId: b.id, planDate: '2026-11-27' });
  bPlanItem = await repos.mealPlans.addItem(bPlan.id, { productId: product.id, quantity: '1', unit: 'pcs' });
  snapshot = (await repos.users.exportUserData(b.id))!;
});

const as = () => ({ userId: a.id });

describe("user A with user B's ids gets nothing and changes nothing", () => {
  it('reads', async () => {
    expect(await repos.users.get(b.id, as())).toBeNull();
    expect(await repos.conversations.get(bConversation.id, as())).toBeNull();
    expect(await repos.conversations.getBySessionId(bConversation.sessionId, as())).toBeNull();
    expect(await repos.conversations.getConversationWithMessages(bConversation.id, as())).toBeNull();
    expect(await repos.conversations.getContextWindow(bConversation.id, 10, as())).toEqual([]);
    expect(await repos.conversations.getUserConversations(a.id)).toEqual([]);
    expect(await repos.conversations.getRecentConversations(a.id)).toEqual([]);
    expect(await repos.conversations.getMulti(0, 100, as())).toEqual([]);
    expect(await repos.receipts.get(bReceipt.id, as())).toBeNull();
    expect(await repos.receipts.getReceiptWithItems(bReceipt.id, as())).toBeNull();
    expect(await repos.receipts.getUserReceipts(a.id)).toEqual([]);
    expect(await repos.receipts.getUserSpendingStats(a.id, '2026-01-01', '2026-12-31')).toEqual({ totalSpent: '0.00', receiptCount: 0, avgReceipt: null });
    expect(await repos.pantryItems.get(bPantry.id, as())).toBeNull();
    expect(await repos.pantryItems.getUserItems(a.id)).toEqual([]);
    expect(await repos.pantryItems.getExpiringWithin(a.id, 3650, { asOf: '2026-01-01' })).toEqual([]);
    expect(await repos.mealPlans.get(bPlan.id, as())).toBeNull();
    expect(await repos.mealPlans.getUserPlans(a.id, '2026-01-01', '2026-12-31')).toEqual([]);
    expect(JSON.stringify(await repos.users.exportUserData(a.id))).not.toContain(b.id);
  });

  it('writes', async () => {
    expect(await repos.users.update(b.id, { username: 'hijacked' }, as())).toBeNull();
    expect(await repos.users.delete(b.id, as())).toBe(false);
    expect(await repos.conversations.update(bConversation.id, { title: 'mine now' }, as())).toBeNull();
    expect(await repos.conversations.delete(bConversation.id, as())).toBe(false);
    await expect(repos.conversations.addMessage(bConversation.id, 'injected', 'user', null, as())).rejects.toBeInstanceOf(NotFoundError);
    expect(await repos.receipts.update(bReceipt.id, { totalAmount: '0.01' }, as())).toBeNull();
    expect(await repos.receipts.delete(bReceipt.id, as())).toBe(false);
    expect(await repos.pantryItems.update(bPantry.id, { quantity: '0' }, as())).toBeNull();
    expect(await repos.pantryItems.delete(bPantry.id, as())).toBe(false);
    expect(await repos.mealPlans.update(bPlan.id, { notes: 'x' }, as())).toBeNull();
    expect(await repos.mealPlans.delete(bPlan.id, as())).toBe(false);
    await expect(repos.mealPlans.addItem(bPlan.id, { recipeId: null, productId: bPlanItem.id, quantity: '1' }, as())).rejects.toBeInstanceOf(NotFoundError);
    expect(await repos.mealPlans.removeItem(bPlanItem.id, as())).toBe(false);
  });

  it("leaves user B's data exactly as it was", async () => {
    const after = (await repos.users.exportUserData(b.id))!;
    expect({ ...after, exportedAt: '' }).toEqual({ ...snapshot, exportedAt: '' });
  });

  it('still lets B do all of it', async () => {
    expect(await repos.conversations.get(bConversation.id, { userId: b.id })).not.toBeNull();
    expect(await repos.receipts.getReceiptWithItems(bReceipt.id, { userId: b.id })).not.toBeNull();
    expect(await repos.mealPlans.removeItem(bPlanItem.id, { userId: b.id })).toBe(true);
  });
});
