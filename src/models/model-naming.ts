import type { ModelOptions, Sequelize } from 'sequelize';

/**
 * The library's tables, by the camelCase name the API and the SQL builders use. The one list of table
 * names: the models take their `tableName` from here and the statements their qualified references.
 */
export const TABLE_NAMES = {
  users: 'users',
  conversations: 'conversations',
  messages: 'messages',
  receipts: 'receipts',
  receiptItems: 'receipt_items',
  products: 'products',
  productMatches: 'product_matches',
  categories: 'categories',
  pantryItems: 'pantry_items',
  pantryEvents: 'pantry_events',
  recipes: 'recipes',
  recipeIngredients: 'recipe_ingredients',
  recipeCategories: 'recipe_categories',
  mealPlans: 'meal_plans',
  mealPlanItems: 'meal_plan_items',
} as const;

/** A table's camelCase key in {@link TABLE_NAMES}. */
export type TableKey = keyof typeof TABLE_NAMES;

/**
 * The prefix of every model name the library registers on a Sequelize instance. A host's own `User`
 * model and the library's (`FoodsaveUser`) live side by side in `sequelize.models`.
 */
export const MODEL_NAME_PREFIX = 'Foodsave';

/** Where one engine's models live: its Sequelize instance and its PostgreSQL schema. @internal */
export interface ModelPlacement {
  readonly sequelize: Sequelize;
  readonly schema: string;
}

/** The options every model passes to `Model.init`: its instance, prefixed name, table and schema. @internal */
export function modelOptions(placement: ModelPlacement, name: string, table: TableKey): ModelOptions & { sequelize: Sequelize } {
  return { sequelize: placement.sequelize, modelName: MODEL_NAME_PREFIX + name, tableName: TABLE_NAMES[table], schema: placement.schema };
}
