/**
 * `foodsave-db/prometheus`: the Prometheus metrics helper. Needs `prom-client` (an optional peer
 * dependency), which this entry point imports; no other entry point does, so hosts without Prometheus
 * never load it nor need its types. Pass the hooks to `instrument` from `foodsave-db/ops`.
 */
export { createPrometheusMetrics, type PrometheusMetricsOptions } from '../ops/prometheus-metrics.js';
