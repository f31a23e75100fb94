import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import type { Engine } from '../engine/create-engine.js';
import { FoodsaveDbError } from '../errors.js';
import type { MetricsHooks } from './instrument.js';

type PromClient = typeof import('prom-client');

/** Options for {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The registry to register on. Required: the library never touches prom-client's global registry. */
  registry: Registry;
  /** Histogram buckets in seconds. Default: 0.5 ms to 5 s. */
  buckets?: number[];
  /**
   * The prom-client module, for bundled hosts where `require('prom-client')` cannot resolve.
   * Default: the `prom-client` the host has installed (an optional peer dependency).
   */
  promClient?: PromClient;
}

/**
 * The design document's Prometheus metrics, labelled by `type` (the operation: select, insert, update,
 * delete, other), on the host's registry:
 * `database_queries_total`, `database_query_duration_seconds` (histogram), `database_errors_total`,
 * `database_connections_active` (read from the pool when scraped), plus `database_pool_waiting` and
 * `database_pool_acquire_timeouts_total`.
 *
 * @throws {FoodsaveDbError} `MISSING_DEPENDENCY` when prom-client is not installed.
 * @example
 * ```ts
 * const registry = new Registry();
 * instrument(engine, createPrometheusMetrics({ registry }));
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 * ```
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions): MetricsHooks {
  if (!options?.registry) {
    throw new FoodsaveDbError('INVALID_ARGUMENT', 'createPrometheusMetrics needs { registry }: the library never uses the global registry');
  }
  const prom = options.promClient ?? loadPromClient();
  const registers = [options.registry];
  const engines = new Set<Engine>();
  const sum = (read: (e: Engine) => number) => [...engines].reduce((total, e) => total + read(e), 0);

  const queries = new prom.Counter({ name: 'database_queries_total', help: 'Total database queries', labelNames: ['type'], registers });
  const duration = new prom.Histogram({
    name: 'database_query_duration_seconds',
    help: 'Query duration',
    labelNames: ['type'],
    buckets: options.buckets ?? [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const errors = new prom.Counter({ name: 'database_errors_total', help: 'Database errors', labelNames: ['type'], registers });
  new prom.Gauge({
    name: 'database_connections_active',
    help: 'Active connections (checked out of the pool)',
    registers,
    collect() {
      this.set(sum((e) => e.poolStats().inUse));
    },
  });
  new prom.Gauge({
    name: 'database_pool_waiting',
    help: 'Callers waiting for a pooled connection',
    registers,
    collect() {
      this.set(sum((e) => e.poolStats().waiting));
    },
  });
  const timeouts = new prom.Counter({
    name: 'database_pool_acquire_timeouts_total',
    help: 'Waits for a pooled connection that timed out',
    registers,
  });

  return {
    onQuery({ operation, durationSeconds, success }) {
      queries.labels(operation).inc();
      duration.labels(operation).observe(durationSeconds);
      if (!success) errors.labels(operation).inc();
    },
    onAcquireTimeout() {
      timeouts.inc();
    },
    attach(engine) {
      engines.add(engine);
      return () => engines.delete(engine);
    },
  };
}

function loadPromClient(): PromClient {
  try {
    return createRequire(import.meta.url)('prom-client') as PromClient;
  } catch (cause) {
    throw new FoodsaveDbError('MISSING_DEPENDENCY', 'createPrometheusMetrics needs prom-client: npm install prom-client', { cause });
  }
}
