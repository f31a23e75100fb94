/** `foodsave-db/models`: the Sequelize models, bound per engine by `defineModels` (or `createEngine`). */
export { defineModels, type DefineModelsOptions, type Models } from '../models/index.js';
export { MODEL_NAME_PREFIX, TABLE_NAMES, type TableKey } from '../models/model-naming.js';
export { User } from '../models/user.js';
export { Conversation } from '../models/conversation.js';
export { Message, MESSAGE_ROLES, type MessageRole } from '../models/message.js';
export { Receipt } from '../models/receipt.js';
export { ReceiptItem } from '../models/receipt-item.js';
export { Product } from '../models/product.js';
export { ProductMatch } from '../models/product-match.js';
export { Category } from '../models/category.js';
export { PantryItem } from '../models/pantry-item.js';
export { PantryEvent, PANTRY_EVENT_TYPES, WASTE_REASONS, type PantryEventType, type WasteReason } from '../models/pantry-event.js';
export { Recipe } from '../models/recipe.js';
export { RecipeIngredient } from '../models/recipe-ingredient.js';
export { RecipeCategory } from '../models/recipe-category.js';
export { MealPlan, MEAL_TYPES, type MealType } from '../models/meal-plan.js';
export { MealPlanItem } from '../models/meal-plan-item.js';
