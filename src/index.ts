/**
 * foodsave-db: the data layer of FoodSave AI. Importing this module does nothing by itself: every
 * function takes the engine, logger or registry it works with.
 *
 * Entry points: `foodsave-db` (this one: configuration, engine, the user scope, migrations, values and
 * every record and input type), `foodsave-db/models` (the Sequelize models), `foodsave-db/ops` (health,
 * the metrics hooks, backups), `foodsave-db/prometheus` and `foodsave-db/opentelemetry` (the metrics
 * helpers; the only entry points whose types name an optional peer), `foodsave-db/migrations` (the
 * migration list) and `foodsave-db/schemas` (the zod input schemas).
 */

// Errors
export {
  FoodsaveDbError,
  ConfigError,
  ValidationError,
  NotFoundError,
  ConflictError,
  UnitMismatchError,
  MigrationError,
  MigrationLockTimeoutError,
  BackupError,
  DatabaseError,
  ConnectionError,
  QueryTimeoutError,
  PoolTimeoutError,
  FOODSAVE_ERROR_CODES,
  type FoodsaveErrorCode,
  type ConfigIssue,
  type ValidationIssue,
} from './errors.js';

// Configuration
export { loadDatabaseConfig, ENV_VARIABLES, type DatabaseConfig, type DatabaseConfigInput } from './config/database-config.js';
export { parseConnectionUrl, formatConnectionUrl, type ConnectionParts } from './config/connection-url.js';
export { redactUrl } from './config/redact.js';
export { resolveConnectionSettings, SSL_MODES, type ConnectionSettings, type SslMode } from './config/connection-settings.js';

// Engine and transactions
export { createEngine, closeEngine, type Engine, type EngineOptions, type EngineSettings, type PoolStats } from './engine/create-engine.js';
export type { EngineEvents, EngineEventMap, QueryEvent } from './engine/engine-events.js';
export { silentLogger, type Logger } from './engine/logger.js';
export type { Consistency, QueryOptions } from './engine/execute.js';
export type { ReplicaState, ReplicaStatus } from './engine/replica-status.js';
export { withTransaction, type TransactionOptions } from './db/with-transaction.js';
export { withRowScope, type RowScope } from './db/row-scope.js';

// The way in: a user's scope, the catalogue, the back-office
export { createFoodsave, type Foodsave, type FoodsaveOptions } from './scope/create-foodsave.js';
export { createAdminRepositories, type AdminRepositories, type Catalog } from './scope/admin-repositories.js';
export type {
  UserScope,
  UserAccount,
  UserConversations,
  UserReceipts,
  UserPantry,
  UserLedger,
  UserMealPlans,
  UserRecipes,
} from './scope/user-scope.js';

// Repositories and domain services, as types (they are reached through the scope or the admin set)
export type { BaseRepository } from './repositories/base-repository.js';
export type { UserRepository, UserDataExport } from './repositories/user-repository.js';
export type { ConversationRepository } from './repositories/conversation-repository.js';
export type { ReceiptRepository, PurchaseRange } from './repositories/receipt-repository.js';
export type { ProductRepository, ProductSearchOptions, ProductsByCategoryOptions } from './repositories/product-repository.js';
export type { CategoryRepository } from './repositories/category-repository.js';
export type { PantryItemRepository, PantryFilter, ExpiringWithinOptions } from './repositories/pantry-item-repository.js';
export type { RecipeRepository } from './repositories/recipe-repository.js';
export type { MealPlanRepository } from './repositories/meal-plan-repository.js';
export type {
  PantryLedger,
  PantryLedgerOptions,
  AddPantryItemInput,
  LotChange,
  ConsumeOptions,
} from './domain/pantry-ledger.js';
export type { PantryLots, AsOfOptions, UseFirstOptions } from './domain/pantry-lots.js';
export type { Cooking, CookOptions } from './domain/cooking.js';
export type { ReceiptStocking } from './domain/receipt-stocking.js';
export type { WasteReport, WasteStats, QuantityByUnit } from './domain/waste-report.js';
export type { RecipeFinder, RecipeFinderOptions, CookableOptions, CookableRecipe, IngredientCoverage } from './domain/recipe-finder.js';
export type { ShoppingPlanner, ShoppingPlannerOptions, ShoppingList, ShoppingListItem } from './domain/shopping-list.js';
export type { SpendingReport, SpendingStats, SpendingBreakdown } from './domain/spending-report.js';
export type { ReceiptMatcher, MatchProposal } from './domain/receipt-matching.js';

// Records: what every call returns
export type {
  RecordOf,
  UserRecord,
  ConversationRecord,
  MessageRecord,
  ReceiptRecord,
  ReceiptItemRecord,
  ProductRecord,
  ProductMatchRecord,
  CategoryRecord,
  PantryItemRecord,
  PantryEventRecord,
  RecipeRecord,
  RecipeIngredientRecord,
  RecipeCategoryRecord,
  MealPlanRecord,
  MealPlanItemRecord,
  ConversationWithMessages,
  ReceiptWithItems,
  MealPlanWithItems,
  RecipeWithIngredients,
  CategoryWithChildren,
} from './db/records.js';
export type { Serialized } from './db/serialized.js';
export type { DecimalString, DateOnlyString, JsonObject } from './models/types.js';
export type { MessageRole } from './models/message.js';
export type { MealType } from './models/meal-plan.js';
export type { PantryEventType, WasteReason } from './models/pantry-event.js';

// Inputs: inferred from the zod schemas in `foodsave-db/schemas`
export type { Paging, DateRange, AmountInput } from './db/schemas/common.js';
export { INPUT_BOUNDS, type InputBounds, type InputBound } from './config/input-bounds.js';
export type { CreateUserInput, UpdateUserInput, UserPreferences } from './db/schemas/user-schemas.js';
export type { CreateConversationInput, UpdateConversationInput, NewMessageInput } from './db/schemas/conversation-schemas.js';
export type { CreateReceiptInput, UpdateReceiptInput, ReceiptItemInput } from './db/schemas/receipt-schemas.js';
export type { CreateProductInput, UpdateProductInput, CreateCategoryInput, UpdateCategoryInput } from './db/schemas/catalog-schemas.js';
export type { CreatePantryItemInput, UpdatePantryItemInput } from './db/schemas/pantry-schemas.js';
export type { CreateRecipeInput, UpdateRecipeInput, RecipeIngredientInput } from './db/schemas/recipe-schemas.js';
export type { CreateMealPlanInput, UpdateMealPlanInput, MealPlanItemInput } from './db/schemas/meal-plan-schemas.js';

// Migrations
export {
  runMigrations,
  revertMigrations,
  migrationStatus,
  type MigrationOptions,
  type MigrationStatus,
  type ExecutedMigration,
} from './migrations/runner.js';

// Values: exact quantities and units
export { Quantity } from './values/quantity.js';
export {
  createUnitRegistry,
  CANONICAL_UNITS,
  DEFAULT_UNIT_ALIASES,
  type UnitRegistry,
  type UnitRegistryOptions,
  type CanonicalUnit,
  type Dimension,
  type Amount,
  type ProductStorageInfo,
} from './values/units.js';
