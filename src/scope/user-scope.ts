import type { Engine } from '../engine/create-engine.js';
import type { QueryOptions } from '../engine/execute.js';
import type { UnitRegistry } from '../values/units.js';
import type { ConversationRecord, MealPlanRecord, PantryItemRecord, ReceiptRecord, ReceiptWithItems, UserRecord } from '../db/records.js';
import type { CreateConversationInput } from '../db/schemas/conversation-schemas.js';
import type { CreateMealPlanInput } from '../db/schemas/meal-plan-schemas.js';
import type { CreatePantryItemInput } from '../db/schemas/pantry-schemas.js';
import type { CreateReceiptInput, ReceiptItemInput } from '../db/schemas/receipt-schemas.js';
import type { UpdateUserInput, UserPreferences } from '../db/schemas/user-schemas.js';
import { userScope, type Scope } from '../db/scope.js';
import { ConversationRepository } from '../repositories/conversation-repository.js';
import { MealPlanRepository } from '../repositories/meal-plan-repository.js';
import { PantryItemRepository } from '../repositories/pantry-item-repository.js';
import { ReceiptRepository } from '../repositories/receipt-repository.js';
import { UserRepository, type UserDataExport, type UserDataPage } from '../repositories/user-repository.js';
import { Cooking } from '../domain/cooking.js';
import { PantryLedger } from '../domain/pantry-ledger.js';
import { PantryLots } from '../domain/pantry-lots.js';
import { ReceiptStocking } from '../domain/receipt-stocking.js';
import { ReceiptMatcher } from '../domain/receipt-matching.js';
import { RecipeFinder } from '../domain/recipe-finder.js';
import { ShoppingPlanner } from '../domain/shopping-list.js';
import { SpendingReport } from '../domain/spending-report.js';
import { WasteReport } from '../domain/waste-report.js';
import { facadeKind } from './facade.js';

/** Input of a scope's `create`: the back-office input without `userId`, which the scope supplies. */
type Owned<T> = Omit<T, 'userId'>;

/**
 * The scope's user: their own row, preferences, export and deletion.
 *
 * @example
 * ```ts
 * await me.account.updatePreferences({ householdSize: 3, diet: ['vegetarian'] });
 * const everything = await me.account.exportData(); // one array per table
 * ```
 */
export interface UserAccount {
  /** The user's row, or `null` once deleted. */
  get(options?: QueryOptions): Promise<UserRecord | null>;
  /** Changes username, email or preferences (replacing them); `null` once deleted. */
  update(patch: UpdateUserInput, options?: QueryOptions): Promise<UserRecord | null>;
  /** Merges a validated patch into the preferences; keys not in the patch are kept. */
  updatePreferences(patch: UserPreferences, options?: QueryOptions): Promise<UserRecord | null>;
  /** Every row the user owns, one array per table, from one consistent snapshot; `null` once deleted. */
  exportData(options?: QueryOptions): Promise<UserDataExport | null>;
  /**
   * The same export in pages of at most `pageSize` rows (default 500, at most 1000), from one snapshot:
   * `for await (const { table, rows } of me.account.exportDataPages()) ...`. Nothing for a deleted user.
   */
  exportDataPages(options?: QueryOptions & { pageSize?: number }): AsyncGenerator<UserDataPage>;
  /** Deletes the user and everything they own (decision 9); `true` if they existed. */
  delete(options?: QueryOptions): Promise<boolean>;
}

const CONVERSATION_METHODS = ['get', 'getBySessionId', 'list', 'getMulti', 'getRecentConversations', 'update', 'delete', 'addMessage', 'getConversationWithMessages', 'getContextWindow'] as const;
/**
 * The user's conversations with the assistant, and their messages.
 *
 * @example
 * ```ts
 * const chat = await me.conversations.create({ sessionId: 'web-42', title: 'Dinner ideas' });
 * await me.conversations.addMessage(chat.id, { content: 'Use the spinach first.', role: 'assistant', agentUsed: 'pantry-agent' });
 * const context = await me.conversations.getContextWindow(chat.id, 20);
 * ```
 */
export type UserConversations = Pick<ConversationRepository, (typeof CONVERSATION_METHODS)[number]> & {
  create(input: Owned<CreateConversationInput>, options?: QueryOptions): Promise<ConversationRecord>;
};

const RECEIPT_METHODS = ['get', 'list', 'getMulti', 'listByPurchaseDate', 'getReceiptWithItems', 'update', 'delete'] as const;
/**
 * The user's receipts: storing them, matching their lines to products, and spending reports.
 *
 * @example
 * ```ts
 * const receipt = await me.receipts.createWithItems(
 *   { storeName: 'Lidl', totalAmount: '7.48', purchaseDate: '2026-11-20' },
 *   [{ productName: 'Spinach 250g', quantity: '1', unitPrice: '1.99', totalPrice: '1.99' }],
 * );
 * const november = await me.receipts.getSpendingStats({ from: '2026-11-01', to: '2026-11-30' });
 * ```
 */
export type UserReceipts = Pick<ReceiptRepository, (typeof RECEIPT_METHODS)[number]> &
  Pick<SpendingReport, 'getSpendingStats' | 'getSpendingBreakdown'> &
  Pick<ReceiptMatcher, 'matchReceiptItems' | 'acceptMatch'> & {
    create(input: Owned<CreateReceiptInput>, options?: QueryOptions): Promise<ReceiptRecord>;
    createWithItems(receipt: Owned<CreateReceiptInput>, items: ReceiptItemInput[], options?: QueryOptions): Promise<ReceiptWithItems>;
  };

const PANTRY_METHODS = ['get', 'list', 'getMulti', 'listItems', 'update', 'delete', 'getExpiringWithin'] as const;
/**
 * The user's pantry lots as plain rows (every change still journalled).
 *
 * @example
 * ```ts
 * const soon = await me.pantry.listItems({ expiringBy: '2026-11-30' });
 * ```
 */
export type UserPantry = Pick<PantryItemRepository, (typeof PANTRY_METHODS)[number]> & {
  create(input: Owned<CreatePantryItemInput>, options?: QueryOptions): Promise<PantryItemRecord>;
};

const LEDGER_METHODS = ['addItem', 'consume', 'discard', 'open', 'undoEvent', 'consumeProduct'] as const;
const LOT_METHODS = ['getExpiringSoon', 'getOverdue', 'getExpired', 'getUseFirst'] as const;
/** The user's pantry as a ledger: adding, using, wasting, undoing, cooking, and the waste report. */
export type UserLedger = Pick<PantryLedger, (typeof LEDGER_METHODS)[number]> &
  Pick<PantryLots, (typeof LOT_METHODS)[number]> &
  Pick<Cooking, 'cookRecipe'> &
  Pick<ReceiptStocking, 'stockFromReceipt'> &
  Pick<WasteReport, 'getWasteStats'>;

const MEAL_PLAN_METHODS = ['get', 'list', 'getMulti', 'getPlan', 'update', 'delete', 'addItem', 'removeItem'] as const;
/**
 * The user's meal plans and the shopping list they make.
 *
 * @example
 * ```ts
 * const dinner = await me.mealPlans.create({ planDate: '2026-11-30', mealType: 'dinner', recipeId: soupId });
 * await me.mealPlans.addItem(dinner.id, { productId: breadId, quantity: '1', unit: 'pcs' });
 * const list = await me.mealPlans.getShoppingList({ from: '2026-11-30', to: '2026-12-06' });
 * ```
 */
export type UserMealPlans = Pick<MealPlanRepository, (typeof MEAL_PLAN_METHODS)[number]> &
  Pick<ShoppingPlanner, 'getShoppingList'> & {
    create(input: Owned<CreateMealPlanInput>, options?: QueryOptions): Promise<MealPlanRecord>;
  };

/** Recipes for this user: what the pantry can cook. */
export type UserRecipes = Pick<RecipeFinder, 'getCookableRecipes'>;

/**
 * Everything one user may do, and nothing more. No method inside takes a user id: every read and write
 * is limited to this user's rows, and every id it is given (a conversation, receipt line, plan, lot or
 * event) must be this user's or shared catalogue data, else the call finds nothing (`null`, `false`,
 * an empty list or `NotFoundError`) and changes nothing.
 */
export interface UserScope {
  readonly userId: string;
  readonly account: UserAccount;
  readonly conversations: UserConversations;
  readonly receipts: UserReceipts;
  readonly pantry: UserPantry;
  readonly ledger: UserLedger;
  readonly mealPlans: UserMealPlans;
  readonly recipes: UserRecipes;
}

/** Every method name of each part of a {@link UserScope}, as built. Tests enumerate it. @internal */
export const USER_SCOPE_METHODS = {
  account: ['get', 'update', 'updatePreferences', 'exportData', 'exportDataPages', 'delete'],
  conversations: [...CONVERSATION_METHODS, 'create'],
  receipts: [...RECEIPT_METHODS, 'getSpendingStats', 'getSpendingBreakdown', 'matchReceiptItems', 'acceptMatch', 'create', 'createWithItems'],
  pantry: [...PANTRY_METHODS, 'create'],
  ledger: [...LEDGER_METHODS, ...LOT_METHODS, 'cookRecipe', 'stockFromReceipt', 'getWasteStats'],
  mealPlans: [...MEAL_PLAN_METHODS, 'getShoppingList', 'create'],
  recipes: ['getCookableRecipes'],
} as const satisfies { [K in Exclude<keyof UserScope, 'userId'>]: readonly (keyof UserScope[K])[] };

/**
 * A user's scope. Each part is built on first use and kept: a scope is made per request, and most
 * requests touch one part, so making one costs about a microsecond. Getters on a class, because
 * per-object accessors put every scope in V8's slow dictionary mode.
 */
class BoundUserScope implements UserScope {
  readonly userId: string;
  #account?: UserAccount;
  #conversations?: UserConversations;
  #receipts?: UserReceipts;
  #pantry?: UserPantry;
  #ledger?: UserLedger;
  #mealPlans?: UserMealPlans;
  #recipes?: UserRecipes;

  // True private fields: the scope's own keys are its user id and nothing else.
  readonly #engine: Engine;
  readonly #scope: Scope & { readonly userId: string };
  readonly #units: UnitRegistry;

  constructor(engine: Engine, scope: Scope & { readonly userId: string }, units: UnitRegistry) {
    this.#engine = engine;
    this.#scope = scope;
    this.#units = units;
    this.userId = scope.userId;
  }

  get account(): UserAccount {
    return (this.#account ??= accountOf(new UserRepository(this.#engine, this.#scope), this.userId));
  }

  get conversations(): UserConversations {
    return (this.#conversations ??= conversationsFacade(this.#context()));
  }

  get receipts(): UserReceipts {
    return (this.#receipts ??= receiptsFacade(this.#context()));
  }

  get pantry(): UserPantry {
    return (this.#pantry ??= pantryFacade(this.#context()));
  }

  get ledger(): UserLedger {
    return (this.#ledger ??= ledgerFacade(this.#context()));
  }

  get mealPlans(): UserMealPlans {
    return (this.#mealPlans ??= mealPlansFacade(this.#context()));
  }

  get recipes(): UserRecipes {
    return (this.#recipes ??= recipesFacade(this.#context()));
  }

  #context(): ScopeContext {
    return { engine: this.#engine, scope: this.#scope, units: this.#units };
  }
}

/** What the objects behind a scope's facades are made from. */
interface ScopeContext {
  readonly engine: Engine;
  readonly scope: Scope & { readonly userId: string };
  readonly units: UnitRegistry;
}

// Each facade kind is made once; a scope's facade is then one small object whose parts are made on use.
const conversationsFacade = facadeKind<ScopeContext, UserConversations>([
  { make: (c) => new ConversationRepository(c.engine, c.scope), names: [...CONVERSATION_METHODS, 'create'] },
]);
const receiptsFacade = facadeKind<ScopeContext, UserReceipts>([
  { make: (c) => new ReceiptRepository(c.engine, c.scope), names: [...RECEIPT_METHODS, 'create', 'createWithItems'] },
  { make: (c) => new SpendingReport(c.engine, c.scope), names: ['getSpendingStats', 'getSpendingBreakdown'] },
  { make: (c) => new ReceiptMatcher(c.engine, c.scope), names: ['matchReceiptItems', 'acceptMatch'] },
]);
const pantryFacade = facadeKind<ScopeContext, UserPantry>([
  { make: (c) => new PantryItemRepository(c.engine, c.scope), names: [...PANTRY_METHODS, 'create'] },
]);
/** Part 0, the ledger, is shared by cooking and stocking, which write through it. */
const ledgerFacade = facadeKind<ScopeContext, UserLedger>([
  { make: (c) => new PantryLedger(c.engine, c.scope, { units: c.units }), names: LEDGER_METHODS },
  { make: (c) => new PantryLots(c.engine, c.scope), names: LOT_METHODS },
  { make: (c, part) => new Cooking(c.engine, part(0) as PantryLedger), names: ['cookRecipe'] },
  { make: (c, part) => new ReceiptStocking(c.engine, c.scope, part(0) as PantryLedger), names: ['stockFromReceipt'] },
  { make: (c) => new WasteReport(c.engine, c.scope), names: ['getWasteStats'] },
]);
const mealPlansFacade = facadeKind<ScopeContext, UserMealPlans>([
  { make: (c) => new MealPlanRepository(c.engine, c.scope), names: [...MEAL_PLAN_METHODS, 'create'] },
  { make: (c) => new ShoppingPlanner(c.engine, c.scope, { units: c.units }), names: ['getShoppingList'] },
]);
const recipesFacade = facadeKind<ScopeContext, UserRecipes>([
  { make: (c) => new RecipeFinder(c.engine, c.scope, { units: c.units }), names: ['getCookableRecipes'] },
]);

function accountOf(users: UserRepository, userId: string): UserAccount {
  return Object.freeze({
    get: async (options?: QueryOptions) => users.get(userId, options),
    update: async (patch: UpdateUserInput, options?: QueryOptions) => users.update(userId, patch, options),
    updatePreferences: async (patch: UserPreferences, options?: QueryOptions) => users.updateMyPreferences(patch, options),
    exportData: async (options?: QueryOptions) => users.exportMyData(options),
    exportDataPages: (options?: QueryOptions & { pageSize?: number }) => users.exportMyDataPages(options),
    delete: async (options?: QueryOptions) => users.deleteMe(options),
  });
}

/** @internal Builds a user's scope; `createFoodsave(engine).forUser(userId)` is the public way in. */
export function buildUserScope(engine: Engine, userId: string, units: UnitRegistry): UserScope {
  return new BoundUserScope(engine, userScope(userId), units);
}
