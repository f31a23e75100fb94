import type { InferAttributes, Model } from 'sequelize';
import type { Category } from '../models/category.js';
import type { Conversation } from '../models/conversation.js';
import type { MealPlanItem } from '../models/meal-plan-item.js';
import type { MealPlan } from '../models/meal-plan.js';
import type { Message } from '../models/message.js';
import type { PantryEvent } from '../models/pantry-event.js';
import type { PantryItem } from '../models/pantry-item.js';
import type { ProductMatch } from '../models/product-match.js';
import type { Product } from '../models/product.js';
import type { ReceiptItem } from '../models/receipt-item.js';
import type { Receipt } from '../models/receipt.js';
import type { RecipeCategory } from '../models/recipe-category.js';
import type { RecipeIngredient } from '../models/recipe-ingredient.js';
import type { Recipe } from '../models/recipe.js';
import type { User } from '../models/user.js';

/** A row as a plain object: what every repository returns, ready to serialise. */
export type RecordOf<M extends Model> = InferAttributes<M>;

export type UserRecord = RecordOf<User>;
export type ConversationRecord = RecordOf<Conversation>;
export type MessageRecord = RecordOf<Message>;
export type ReceiptRecord = RecordOf<Receipt>;
export type ReceiptItemRecord = RecordOf<ReceiptItem>;
export type ProductRecord = RecordOf<Product>;
export type ProductMatchRecord = RecordOf<ProductMatch>;
export type CategoryRecord = RecordOf<Category>;
export type PantryItemRecord = RecordOf<PantryItem>;
export type PantryEventRecord = RecordOf<PantryEvent>;
export type RecipeRecord = RecordOf<Recipe>;
export type RecipeIngredientRecord = RecordOf<RecipeIngredient>;
export type RecipeCategoryRecord = RecordOf<RecipeCategory>;
export type MealPlanRecord = RecordOf<MealPlan>;
export type MealPlanItemRecord = RecordOf<MealPlanItem>;

export type ConversationWithMessages = ConversationRecord & { messages: MessageRecord[] };
export type ReceiptWithItems = ReceiptRecord & { items: ReceiptItemRecord[] };
export type MealPlanWithItems = MealPlanRecord & { items: MealPlanItemRecord[] };
export type RecipeWithIngredients = RecipeRecord & { ingredients: RecipeIngredientRecord[]; categoryIds: string[] };
export type CategoryWithChildren = CategoryRecord & { children: CategoryRecord[] };
