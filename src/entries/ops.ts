/**
 * `foodsave-db/ops`: health, the metrics hooks (`instrument`) and backups. Nothing here needs an
 * optional peer: the metrics helpers that do are in `foodsave-db/prometheus` (prom-client) and
 * `foodsave-db/opentelemetry` (`@opentelemetry/api`, `@opentelemetry/sdk-metrics`).
 */
export { checkDatabaseHealth, type HealthCheckOptions, type HealthReport } from '../ops/health.js';
export { instrument, type MetricsHooks, type QueryMetric } from '../ops/instrument.js';
export type { SqlOperation } from '../ops/sql-operation.js';
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
} from '../ops/backup.js';
export { DatabaseBackup } from '../ops/database-backup.js';
