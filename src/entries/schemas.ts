/**
 * `foodsave-db/schemas`: the zod schemas every input is validated with, for hosts that validate at
 * their own edge (an HTTP handler, an agent tool) with the same rules. The input types in the main
 * entry are inferred from these.
 */
export { pagingSchema, dateRangeSchema, amountSchema, INPUT_BOUNDS, withInputBounds, type InputBounds, type InputBound } from '../db/schemas/common.js';
export { createUserSchema, updateUserSchema, userPreferencesSchema } from '../db/schemas/user-schemas.js';
export { createConversationSchema, updateConversationSchema, newMessageSchema } from '../db/schemas/conversation-schemas.js';
export { createReceiptSchema, updateReceiptSchema, receiptItemSchema, receiptItemsSchema } from '../db/schemas/receipt-schemas.js';
export { createProductSchema, updateProductSchema, createCategorySchema, updateCategorySchema } from '../db/schemas/catalog-schemas.js';
export { createPantryItemSchema, updatePantryItemSchema } from '../db/schemas/pantry-schemas.js';
export { createRecipeSchema, updateRecipeSchema, recipeIngredientSchema } from '../db/schemas/recipe-schemas.js';
export { createMealPlanSchema, updateMealPlanSchema, mealPlanItemSchema } from '../db/schemas/meal-plan-schemas.js';
export { addPantryItemSchema } from '../domain/pantry-ledger.js';
export { productStorageInfoSchema } from '../values/units.js';
export { databaseConfigSchema } from '../config/database-config.js';
