import type { Engine } from '../engine/create-engine.js';
import { CategoryRepository } from './category-repository.js';
import { ProductRepository } from './product-repository.js';
import { ConversationRepository } from './conversation-repository.js';
import { MealPlanRepository } from './meal-plan-repository.js';
import { PantryItemRepository } from './pantry-item-repository.js';
import { ReceiptRepository } from './receipt-repository.js';
import { RecipeRepository } from './recipe-repository.js';
import { UserRepository } from './user-repository.js';

/** One repository of each kind, bound to one engine. */
export interface Repositories {
  users: UserRepository;
  conversations: ConversationRepository;
  receipts: ReceiptRepository;
  products: ProductRepository;
  categories: CategoryRepository;
  pantryItems: PantryItemRepository;
  recipes: RecipeRepository;
  mealPlans: MealPlanRepository;
}

/**
 * Creates every repository for an engine. Repositories hold no state but the engine: create them once.
 *
 * @example
 * ```ts
 * const repos = createRepositories(engine);
 * const user = await repos.users.getByEmail('ana@example.com');
 * ```
 */
export function createRepositories(engine: Engine): Repositories {
  return {
    users: new UserRepository(engine),
    conversations: new ConversationRepository(engine),
    receipts: new ReceiptRepository(engine),
    products: new ProductRepository(engine),
    categories: new CategoryRepository(engine),
    pantryItems: new PantryItemRepository(engine),
    recipes: new RecipeRepository(engine),
    mealPlans: new MealPlanRepository(engine),
  };
}
