import type { Sequelize } from 'sequelize';
import { MODEL_NAME_PREFIX, type ModelPlacement } from './model-naming.js';
import { initCategory, type Category } from './category.js';
import { initConversation, type Conversation } from './conversation.js';
import { initMealPlanItem, type MealPlanItem } from './meal-plan-item.js';
import { initMealPlan, type MealPlan } from './meal-plan.js';
import { initMessage, type Message } from './message.js';
import { initPantryEvent, type PantryEvent } from './pantry-event.js';
import { initPantryItem, type PantryItem } from './pantry-item.js';
import { initProductMatch, type ProductMatch } from './product-match.js';
import { initProduct, type Product } from './product.js';
import { initReceiptItem, type ReceiptItem } from './receipt-item.js';
import { initReceipt, type Receipt } from './receipt.js';
import { initRecipeCategory, type RecipeCategory } from './recipe-category.js';
import { initRecipeIngredient, type RecipeIngredient } from './recipe-ingredient.js';
import { initRecipe, type Recipe } from './recipe.js';
import { initUser, type User } from './user.js';

/** One engine's models. Each engine gets its own classes, bound to its own Sequelize instance. */
export interface Models {
  User: typeof User;
  Conversation: typeof Conversation;
  Message: typeof Message;
  Receipt: typeof Receipt;
  ReceiptItem: typeof ReceiptItem;
  Product: typeof Product;
  ProductMatch: typeof ProductMatch;
  Category: typeof Category;
  PantryItem: typeof PantryItem;
  PantryEvent: typeof PantryEvent;
  Recipe: typeof Recipe;
  RecipeIngredient: typeof RecipeIngredient;
  RecipeCategory: typeof RecipeCategory;
  MealPlan: typeof MealPlan;
  MealPlanItem: typeof MealPlanItem;
}

/** Options for {@link defineModels}. */
export interface DefineModelsOptions {
  /** The PostgreSQL schema the library's tables live in. Default: `public`. */
  schema?: string;
}

/**
 * Defines every model on a Sequelize instance, with the associations of the design document's diagram.
 * `createEngine` calls this; call it yourself only with a Sequelize instance you manage.
 *
 * The models are registered as `FoodsaveUser`, `FoodsaveReceipt` and so on ({@link MODEL_NAME_PREFIX}),
 * so they never replace a host's own `User` model on a shared instance; use the returned object, not
 * `sequelize.models`. The schema itself is owned by the migrations: never call `sequelize.sync()`.
 *
 * Row-level security (migration 0011) shows the models a user's rows only in a transaction that names
 * the user in `foodsave.user_id` (`*` for everyone's); on an engine, `withRowScope` does this.
 *
 * @example
 * ```ts
 * const sequelize = new Sequelize(url, { dialect: 'postgres' });
 * const models = defineModels(sequelize, { schema: 'foodsave' });
 * const user = await sequelize.transaction(async (transaction) => {
 *   await sequelize.query("SELECT set_config('foodsave.user_id', $1, true)", { bind: [userId], transaction });
 *   return models.User.findByPk(userId, { transaction });
 * });
 * ```
 */
export function defineModels(sequelize: Sequelize, options: DefineModelsOptions = {}): Models {
  const placement: ModelPlacement = { sequelize, schema: options.schema ?? 'public' };
  const m: Models = {
    User: initUser(placement),
    Conversation: initConversation(placement),
    Message: initMessage(placement),
    Receipt: initReceipt(placement),
    ReceiptItem: initReceiptItem(placement),
    Product: initProduct(placement),
    ProductMatch: initProductMatch(placement),
    Category: initCategory(placement),
    PantryItem: initPantryItem(placement),
    PantryEvent: initPantryEvent(placement),
    Recipe: initRecipe(placement),
    RecipeIngredient: initRecipeIngredient(placement),
    RecipeCategory: initRecipeCategory(placement),
    MealPlan: initMealPlan(placement),
    MealPlanItem: initMealPlanItem(placement),
  };
  associateUsersAndReceipts(m);
  associateCatalogueAndPlans(m);
  return m;
}

// The database enforces ON DELETE (migrations); `constraints: false` keeps Sequelize from emulating it.
const fk = (foreignKey: string) => ({ foreignKey, constraints: false });

/** The associations of users, conversations, receipts and the pantry. */
function associateUsersAndReceipts(m: Models): void {
  m.User.hasMany(m.Conversation, { as: 'conversations', ...fk('userId') });
  m.Conversation.belongsTo(m.User, { as: 'user', ...fk('userId') });
  m.User.hasMany(m.Receipt, { as: 'receipts', ...fk('userId') });
  m.Receipt.belongsTo(m.User, { as: 'user', ...fk('userId') });
  m.User.hasMany(m.PantryItem, { as: 'pantryItems', ...fk('userId') });
  m.PantryItem.belongsTo(m.User, { as: 'user', ...fk('userId') });
  m.User.hasMany(m.MealPlan, { as: 'mealPlans', ...fk('userId') });
  m.MealPlan.belongsTo(m.User, { as: 'user', ...fk('userId') });

  m.Conversation.hasMany(m.Message, { as: 'messages', ...fk('conversationId') });
  m.Message.belongsTo(m.Conversation, { as: 'conversation', ...fk('conversationId') });
  m.Conversation.hasMany(m.Receipt, { as: 'receipts', ...fk('conversationId') });
  m.Receipt.belongsTo(m.Conversation, { as: 'conversation', ...fk('conversationId') });

  m.Receipt.hasMany(m.ReceiptItem, { as: 'items', ...fk('receiptId') });
  m.ReceiptItem.belongsTo(m.Receipt, { as: 'receipt', ...fk('receiptId') });
  m.ReceiptItem.belongsTo(m.Product, { as: 'product', ...fk('productId') });
  m.ReceiptItem.belongsTo(m.Category, { as: 'category', ...fk('categoryId') });
  m.PantryItem.belongsTo(m.Product, { as: 'product', ...fk('productId') });
  m.PantryItem.belongsTo(m.ReceiptItem, { as: 'receiptItem', ...fk('receiptItemId') });
  m.PantryItem.hasMany(m.PantryEvent, { as: 'events', ...fk('pantryItemId') });
  m.PantryEvent.belongsTo(m.PantryItem, { as: 'pantryItem', ...fk('pantryItemId') });
  m.User.hasMany(m.PantryEvent, { as: 'pantryEvents', ...fk('userId') });
}

/** The associations of the catalogue (categories, products, recipes) and of meal plans. */
function associateCatalogueAndPlans(m: Models): void {
  m.Category.hasMany(m.Product, { as: 'products', ...fk('categoryId') });
  m.Product.belongsTo(m.Category, { as: 'category', ...fk('categoryId') });
  m.Category.hasMany(m.Category, { as: 'children', ...fk('parentId') });
  m.Category.belongsTo(m.Category, { as: 'parent', ...fk('parentId') });

  m.Recipe.hasMany(m.RecipeIngredient, { as: 'ingredients', ...fk('recipeId') });
  m.RecipeIngredient.belongsTo(m.Recipe, { as: 'recipe', ...fk('recipeId') });
  m.RecipeIngredient.belongsTo(m.Product, { as: 'product', ...fk('productId') });
  m.Recipe.belongsToMany(m.Category, {
    as: 'categories',
    through: m.RecipeCategory,
    foreignKey: 'recipeId',
    otherKey: 'categoryId',
    constraints: false,
  });
  m.Category.belongsToMany(m.Recipe, {
    as: 'recipes',
    through: m.RecipeCategory,
    foreignKey: 'categoryId',
    otherKey: 'recipeId',
    constraints: false,
  });

  m.Recipe.hasMany(m.MealPlan, { as: 'mealPlans', ...fk('recipeId') });
  m.MealPlan.belongsTo(m.Recipe, { as: 'recipe', ...fk('recipeId') });
  m.MealPlan.hasMany(m.MealPlanItem, { as: 'items', ...fk('mealPlanId') });
  m.MealPlanItem.belongsTo(m.MealPlan, { as: 'mealPlan', ...fk('mealPlanId') });
  m.MealPlanItem.belongsTo(m.Recipe, { as: 'recipe', ...fk('recipeId') });
  m.MealPlanItem.belongsTo(m.Product, { as: 'product', ...fk('productId') });
}

export type {
  Category,
  Conversation,
  MealPlan,
  MealPlanItem,
  Message,
  PantryEvent,
  PantryItem,
  Product,
  ProductMatch,
  Receipt,
  ReceiptItem,
  Recipe,
  RecipeCategory,
  RecipeIngredient,
  User,
};
