/**
 * `foodsave-db/opentelemetry`: the OpenTelemetry metrics helpers. Their types name
 * `@opentelemetry/api` and `@opentelemetry/sdk-metrics` (optional peer dependencies, types only: nothing
 * of them is loaded at run time); no other entry point does, so hosts without OpenTelemetry need
 * neither. Pass the hooks to `instrument` from `foodsave-db/ops`.
 */
export { createOpenTelemetryMetrics, type OpenTelemetryMetricsOptions } from '../ops/opentelemetry-metrics.js';
export {
  createOpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducer,
  type OpenTelemetryMetricProducerOptions,
} from '../ops/opentelemetry-metric-producer.js';
