import type { Engine } from '../engine/create-engine.js';
import { CategoryRepository } from '../repositories/category-repository.js';
import { ConversationRepository } from '../repositories/conversation-repository.js';
import { MealPlanRepository } from '../repositories/meal-plan-repository.js';
import { PantryItemRepository } from '../repositories/pantry-item-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { ReceiptRepository } from '../repositories/receipt-repository.js';
import { RecipeRepository } from '../repositories/recipe-repository.js';
import { UserRepository } from '../repositories/user-repository.js';

/**
 * The back-office repositories: every user's rows, unscoped. For admin tools, migrations of data and
 * tests. Application code serving a user goes through `forUser(userId)` instead.
 */
export interface AdminRepositories {
  readonly users: UserRepository;
  readonly conversations: ConversationRepository;
  readonly receipts: ReceiptRepository;
  readonly products: ProductRepository;
  readonly categories: CategoryRepository;
  readonly pantryItems: PantryItemRepository;
  readonly recipes: RecipeRepository;
  readonly mealPlans: MealPlanRepository;
}

/** The shared catalogue: products, categories and recipes, read and written by every user alike. */
export interface Catalog {
  readonly products: ProductRepository;
  readonly categories: CategoryRepository;
  readonly recipes: RecipeRepository;
}

/**
 * Creates every back-office repository for an engine. They hold no state but the engine: create them
 * once. Prefer `createFoodsave(engine).admin`.
 *
 * @example
 * ```ts
 * const admin = createAdminRepositories(engine);
 * const user = await admin.users.getByEmail('ana@example.com');
 * ```
 */
export function createAdminRepositories(engine: Engine): AdminRepositories {
  return Object.freeze({
    users: new UserRepository(engine),
    conversations: new ConversationRepository(engine),
    receipts: new ReceiptRepository(engine),
    products: new ProductRepository(engine),
    categories: new CategoryRepository(engine),
    pantryItems: new PantryItemRepository(engine),
    recipes: new RecipeRepository(engine),
    mealPlans: new MealPlanRepository(engine),
  });
}
