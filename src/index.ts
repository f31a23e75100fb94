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
export { ProductMatch } from './models/product-match.js';
export { Category } from './models/category.js';
export { PantryItem } from './models/pantry-item.js';
export {
  PantryEvent,
  PANTRY_EVENT_TYPES,
  WASTE_REASONS,
  type PantryEventType,
  type WasteReason,
} from './models/pantry-event.js';
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

// Transactions and repositories
export { withTransaction, type TransactionOptions } from './engine/with-transaction.js';
export type { QueryOptions } from './engine/sql.js';
export { BaseRepository, type RecordOf, type ScopedOptions } from './repositories/base-repository.js';
export { createRepositories, type Repositories } from './repositories/create-repositories.js';
export {
  UserRepository,
  type UserRecord,
  type UserDataExport,
} from './repositories/user-repository.js';
export {
  ConversationRepository,
  type ConversationRecord,
  type MessageRecord,
  type ConversationWithMessages,
  type AddMessageOptions,
} from './repositories/conversation-repository.js';
export {
  ReceiptRepository,
  type ReceiptRecord,
  type ReceiptItemRecord,
  type ReceiptWithItems,
  type SpendingStats,
  type ReceiptDateRange,
  type SpendingBreakdown,
  type MatchProposal,
} from './repositories/receipt-repository.js';
export { ProductRepository, type ProductRecord } from './repositories/product-repository.js';
export { CategoryRepository, type CategoryRecord, type CategoryWithChildren } from './repositories/category-repository.js';
export { PantryItemRepository, type PantryItemRecord, type PantryFilter } from './repositories/pantry-item-repository.js';
export {
  RecipeRepository,
  type RecipeRecord,
  type RecipeIngredientRecord,
  type RecipeWithIngredients,
  type CookableOptions,
  type CookableRecipe,
  type IngredientCoverage,
} from './repositories/recipe-repository.js';
export {
  MealPlanRepository,
  type MealPlanRecord,
  type MealPlanItemRecord,
  type MealPlanWithItems,
  type ShoppingList,
  type ShoppingListItem,
} from './repositories/meal-plan-repository.js';
export type { Serialized } from './repositories/serialized.js';

// Input schemas (zod): the single source of the input types
export * from './repositories/schemas/user-schemas.js';
export * from './repositories/schemas/conversation-schemas.js';
export * from './repositories/schemas/receipt-schemas.js';
export * from './repositories/schemas/catalog-schemas.js';
export * from './repositories/schemas/pantry-schemas.js';
export * from './repositories/schemas/recipe-schemas.js';
export * from './repositories/schemas/meal-plan-schemas.js';

// Operations: health, metrics, backups
export { checkDatabaseHealth, type HealthCheckOptions, type HealthReport } from './ops/health.js';
export { instrument, type MetricsHooks, type QueryMetric } from './ops/instrument.js';
export type { SqlOperation } from './ops/sql-operation.js';
export { createPrometheusMetrics, type PrometheusMetricsOptions } from './ops/prometheus-metrics.js';
export { createOpenTelemetryMetrics, type OpenTelemetryMetricsOptions } from './ops/opentelemetry-metrics.js';
export {
  createOpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducerOptions,
} from './ops/opentelemetry-metric-producer.js';
export {
  createBackup,
  restoreBackup,
  verifyBackup,
  listBackups,
  pruneBackups,
  type CreateBackupOptions,
  type RestoreBackupOptions,
  type BackupResult,
  type BackupManifest,
  type BackupEntry,
} from './ops/backup.js';
export { DatabaseBackup } from './ops/database-backup.js';

// Food-saving domain
export { UnitMismatchError } from './errors.js';
export { Quantity } from './domain/quantity.js';
export {
  createUnitRegistry,
  productStorageInfoSchema,
  CANONICAL_UNITS,
  DEFAULT_UNIT_ALIASES,
  unitTable,
  type UnitRegistry,
  type UnitRegistryOptions,
  type CanonicalUnit,
  type Dimension,
  type Amount,
  type ProductStorageInfo,
} from './domain/units.js';
export {
  PantryLedger,
  addPantryItemSchema,
  type AddPantryItemInput,
  type PantryLedgerOptions,
  type PantryEventRecord,
  type LotChange,
  type AsOfOptions,
  type WasteStats,
  type QuantityByUnit,
} from './domain/pantry-ledger.js';
