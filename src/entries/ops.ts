/** `foodsave-db/ops`: health, metrics and backups. */
export { checkDatabaseHealth, type HealthCheckOptions, type HealthReport } from '../ops/health.js';
export { instrument, type MetricsHooks, type QueryMetric } from '../ops/instrument.js';
export type { SqlOperation } from '../ops/sql-operation.js';
export { createPrometheusMetrics, type PrometheusMetricsOptions } from '../ops/prometheus-metrics.js';
export { createOpenTelemetryMetrics, type OpenTelemetryMetricsOptions } from '../ops/opentelemetry-metrics.js';
export {
  createOpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducerOptions,
} from '../ops/opentelemetry-metric-producer.js';
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
