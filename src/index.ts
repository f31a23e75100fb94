/**
 * foodsave-db: the data layer of FoodSave AI. Importing this module does nothing by itself:
 * every function takes the engine, logger or registry it works with.
 */

// Errors
export {
  FoodsaveDbError,
  ConfigError,
  ValidationError,
  NotFoundError,
  ConflictError,
  MigrationError,
  MigrationLockTimeoutError,
  BackupError,
  type ConfigIssue,
  type ValidationIssue,
} from './errors.js';

// Configuration
export {
  loadDatabaseConfig,
  databaseConfigSchema,
  ENV_VARIABLES,
  type DatabaseConfig,
  type DatabaseConfigInput,
} from './config/database-config.js';
export { parseConnectionUrl, formatConnectionUrl, type ConnectionParts } from './config/connection-url.js';
export { redactUrl } from './config/redact.js';

// Engine
export {
  createEngine,
  closeEngine,
  type Engine,
  type EngineOptions,
  type EngineSettings,
  type PoolStats,
} from './engine/create-engine.js';
export { EngineEvents, type EngineEventMap, type QueryEvent } from './engine/engine-events.js';
export { silentLogger, type Logger } from './engine/logger.js';

// Models
export { defineModels, type Models } from './models/index.js';
export { User } from './models/user.js';
export { Conversation } from './models/conversation.js';
export { Message, MESSAGE_ROLES, type MessageRole } from './models/message.js';
export { Receipt } from './models/receipt.js';
export { ReceiptItem } from './models/receipt-item.js';
export { Product } from './models/product.js';
export { Category } from './models/category.js';
export { PantryItem } from './models/pantry-item.js';
export { Recipe } from './models/recipe.js';
export { RecipeIngredient } from './models/recipe-ingredient.js';
export { RecipeCategory } from './models/recipe-category.js';
export { MealPlan, MEAL_TYPES, type MealType } from './models/meal-plan.js';
export { MealPlanItem } from './models/meal-plan-item.js';
export type { DecimalString, DateOnlyString, JsonObject } from './models/types.js';

// Migrations
export {
  runMigrations,
  revertMigrations,
  migrationStatus,
  type MigrationOptions,
  type MigrationStatus,
  type ExecutedMigration,
} from './migrations/runner.js';
export { migrations } from './migrations/index.js';
export { migrationChecksum, type Migration } from './migrations/migration.js';
