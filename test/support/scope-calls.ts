import type { Foodsave, UserScope } from '../../src/index.js';
import { USER_SCOPE_METHODS } from '../../src/scope/user-scope.js';
import { decadeAroundToday, makeUser, unique } from './fixtures.js';

/** A user's rows, and catalogue rows they use: the ids a call of the scope's methods is given. */
export interface ScopeIds {
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

export type ScopeCall = (me: UserScope, ids: ScopeIds, db: Foodsave) => Promise<unknown>;
/** A call for every method of the user scope. */
export type ScopeCalls = { [P in keyof typeof USER_SCOPE_METHODS]: Record<(typeof USER_SCOPE_METHODS)[P][number], ScopeCall> };

/** Dates that hold every receipt and plan the fixtures write (the pantry journal's events are dated today). */
export const WHOLE_YEAR = { from: '2100-01-01', to: '2100-12-31' };

/**
 * One call for each method of the user scope, on the rows `ids` names: another user's, in the
 * isolation tests, where each must find nothing and change nothing, or the caller's own, in the
 * query-plan tests, where each sends the statements of its successful path. `satisfies` makes a
 * method without a call a compile error.
 */
export const SCOPE_CALLS = {
  account: {
    get: (me) => me.account.get(),
    update: (me) => me.account.update({ username: unique('user').slice(0, 50) }),
    updatePreferences: (me) => me.account.updatePreferences({ householdSize: 2 }),
    exportData: (me) => me.account.exportData(),
    exportDataPages: async (me) => {
      const pages = [];
      for await (const page of me.account.exportDataPages({ pageSize: 2 })) pages.push(page);
      return pages;
    },
    // Deletes a throwaway user of its own: the point is that it reaches no one else.
    delete: async (_me, _ids, db) => db.forUser((await makeUser(db, 'gone')).id).account.delete(),
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
    create: (me) => me.conversations.create({ sessionId: unique('user') }),
  },
  receipts: {
    get: (me, x) => me.receipts.get(x.receiptId),
    list: (me) => me.receipts.list(),
    getMulti: (me) => me.receipts.getMulti(0, 100),
    listByPurchaseDate: (me) => me.receipts.listByPurchaseDate(WHOLE_YEAR),
    getReceiptWithItems: (me, x) => me.receipts.getReceiptWithItems(x.receiptId),
    update: (me, x) => me.receipts.update(x.receiptId, { totalAmount: '0.01' }),
    delete: (me, x) => me.receipts.delete(x.receiptId),
    getSpendingStats: (me) => me.receipts.getSpendingStats(WHOLE_YEAR),
    getSpendingBreakdown: (me) => me.receipts.getSpendingBreakdown(WHOLE_YEAR),
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
    update: (me, x) => me.pantry.update(x.lotId, { notes: 'mine now' }),
    delete: (me, x) => me.pantry.delete(x.lotId),
    getExpiringWithin: (me) => me.pantry.getExpiringWithin(3650, { asOf: '2100-01-01' }),
    create: (me, x) => me.pantry.create({ productId: x.productId, quantity: '1', unit: 'g' }),
  },
  ledger: {
    addItem: (me, x) => me.ledger.addItem({ productId: x.productId, quantity: '100', unit: 'g', receiptItemId: x.receiptItemId }),
    consume: (me, x) => me.ledger.consume(x.lotId, { quantity: '1', unit: 'g' }),
    discard: (me, x) => me.ledger.discard(x.lotId, { quantity: '1', unit: 'g' }, 'spoiled'),
    open: (me, x) => me.ledger.open(x.lotId),
    undoEvent: (me, x) => me.ledger.undoEvent(x.eventId),
    stockFromReceipt: (me, x) => me.ledger.stockFromReceipt(x.receiptId),
    getExpiringSoon: (me) => me.ledger.getExpiringSoon(3650, { asOf: '2100-01-01' }),
    getExpired: (me) => me.ledger.getExpired({ asOf: '2101-01-01' }),
    getOverdue: (me) => me.ledger.getOverdue({ asOf: '2101-01-01' }),
    getUseFirst: (me, x) => me.ledger.getUseFirst({ productId: x.productId }),
    consumeProduct: (me, x) => me.ledger.consumeProduct(x.productId, { quantity: '100', unit: 'g' }),
    cookRecipe: (me, x) => me.ledger.cookRecipe(x.recipeId),
    getWasteStats: (me) => me.ledger.getWasteStats(decadeAroundToday()),
  },
  mealPlans: {
    get: (me, x) => me.mealPlans.get(x.planId),
    list: (me) => me.mealPlans.list(),
    getMulti: (me) => me.mealPlans.getMulti(0, 100),
    getPlan: (me) => me.mealPlans.getPlan(WHOLE_YEAR),
    update: (me, x) => me.mealPlans.update(x.planId, { notes: 'x' }),
    delete: (me, x) => me.mealPlans.delete(x.planId),
    addItem: (me, x) => me.mealPlans.addItem(x.planId, { productId: x.productId, quantity: '1' }),
    removeItem: (me, x) => me.mealPlans.removeItem(x.planItemId),
    getShoppingList: (me) => me.mealPlans.getShoppingList(WHOLE_YEAR),
    create: (me) => me.mealPlans.create({ planDate: '2100-11-27' }),
  },
  recipes: {
    getCookableRecipes: (me) => me.recipes.getCookableRecipes({ maxMissing: 5, asOf: '2100-11-20' }),
  },
} satisfies ScopeCalls;

/**
 * One of each row a user owns, made through `me`, with the catalogue rows they use (made through `db`):
 * a conversation with `message`, a receipt of one line linked to it and learned as a match, a pantry
 * lot and its event, a meal plan of a recipe with one item.
 */
export async function makeScopeRows(db: Foodsave, me: UserScope, message: string): Promise<ScopeIds> {
  const product = await db.catalog.products.create({ name: `Cheese ${unique('p')}` });
  const recipe = await db.catalog.recipes.createWithIngredients({ title: 'Cheese toast', servings: 1 }, [{ productId: product.id, quantity: '100', unit: 'g' }]);
  const conversation = await me.conversations.create({ sessionId: unique('user') });
  await me.conversations.addMessage(conversation.id, { content: message, role: 'user' });
  const receipt = await me.receipts.createWithItems(
    { totalAmount: '9.99', purchaseDate: '2100-11-20', storeName: 'Lidl', conversationId: conversation.id },
    [{ productName: 'CHEESE 200G', productId: product.id, quantity: '1', unit: 'pcs', totalPrice: '9.99' }],
  );
  await me.receipts.acceptMatch(receipt.items[0]!.id, product.id);
  const { lot, event } = await me.ledger.addItem({ productId: product.id, quantity: '500', unit: 'g', totalPrice: '5.00', expiryDate: '2100-11-28' });
  const plan = await me.mealPlans.create({ planDate: '2100-11-27', recipeId: recipe.id });
  const planItem = await me.mealPlans.addItem(plan.id, { productId: product.id, quantity: '1', unit: 'pcs' });
  return {
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
}
