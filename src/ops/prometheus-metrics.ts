// A static import, not a require resolved at run time: this module is reached only through the
// `foodsave-db/prometheus` entry point, whose users have prom-client installed, and a bundler (esbuild,
// webpack, rollup) follows a static import in ESM and CJS output alike, where a runtime
// `createRequire(import.meta.url)` finds nothing (`import.meta.url` is empty in a CJS bundle, and the
// bundle's folder may hold no node_modules at all).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Engine } from '../engine/create-engine.js';
import { FoodsaveDbError } from '../errors.js';
import type { MetricsHooks } from './instrument.js';

/** Options for {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The registry to register on. Required: the library never touches prom-client's global registry. */
  registry: Registry;
  /** Histogram buckets in seconds. Default: 0.5 ms to 5 s. */
  buckets?: number[];
  /**
   * The prom-client module (or its `Gauge` and `Counter`) to build the gauges and the counter with.
   * Default: the `prom-client` this entry point imports, the host's (an optional peer dependency).
   * Rarely needed: the metrics work with a registry of any prom-client copy.
   */
  promClient?: Pick<typeof import('prom-client'), 'Gauge' | 'Counter'>;
}

/**
 * The design document's Prometheus metrics, labelled by `type` (the operation: select, insert, update,
 * delete, other), on the host's registry:
 * `database_queries_total`, `database_query_duration_seconds` (histogram), `database_errors_total`,
 * `database_connections_active` (read from the pool when scraped), plus `database_pool_waiting`,
 * `database_pool_acquire_timeouts_total`, and for each read replica (label `replica`, `host:port`)
 * `database_replica_up` (1 while it serves reads) and `database_replica_lag_seconds`.
 *
 * Imported from `foodsave-db/prometheus`, which needs prom-client (an optional peer dependency).
 *
 * @throws {FoodsaveDbError} `INVALID_ARGUMENT` without a registry.
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
  const prom = options.promClient ?? { Gauge, Counter };
  const engines = new Set<Engine>();
  const record = registerQueryMetrics(options.registry, options.buckets);
  registerPoolGauges(prom, options.registry, engines);
  registerReplicaGauges(options.registry, engines);
  const timeouts = new prom.Counter({
    name: 'database_pool_acquire_timeouts_total',
    help: 'Waits for a pooled connection that timed out',
    registers: [options.registry],
  });

  return {
    onQuery: record,
    onAcquireTimeout() {
      timeouts.inc();
    },
    attach(engine) {
      engines.add(engine);
      return () => engines.delete(engine);
    },
  };
}

/**
 * The three per-query metrics, as plain arrays indexed by operation that prom-client reads only when
 * scraped: prom-client's own Counter and Histogram hash their labels on every call, which cost more
 * than the 5% of a query's client CPU this instrumentation is allowed. Returns the per-query hook.
 */
function registerQueryMetrics(registry: Registry, bucketOption: number[] | undefined): NonNullable<MetricsHooks['onQuery']> {
  const buckets = [...(bucketOption ?? [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])].sort((a, b) => a - b);
  const queries = new Float64Array(OPERATIONS.length);
  const errors = new Float64Array(OPERATIONS.length);
  const sums = new Float64Array(OPERATIONS.length);
  const bucketCounts = OPERATIONS.map(() => new Float64Array(buckets.length + 1));
  const perOperation = (counts: Float64Array) =>
    OPERATIONS.flatMap((type, i) => (counts[i] ? [{ labels: { type }, value: counts[i]! }] : []));
  register(registry, 'database_queries_total', 'Total database queries', 'counter', () => perOperation(queries));
  register(registry, 'database_errors_total', 'Database errors', 'counter', () => perOperation(errors));
  register(registry, 'database_query_duration_seconds', 'Query duration', 'histogram', () =>
    OPERATIONS.flatMap((type, i): Sample[] => {
      if (!queries[i]) return [];
      let cumulative = 0;
      const counts = bucketCounts[i]!;
      return [
        ...buckets.map((le, b) => ({ labels: { le, type }, value: (cumulative += counts[b]!), metricName: 'database_query_duration_seconds_bucket' })),
        { labels: { le: '+Inf', type }, value: queries[i]!, metricName: 'database_query_duration_seconds_bucket' },
        { labels: { type }, value: sums[i]!, metricName: 'database_query_duration_seconds_sum' },
        { labels: { type }, value: queries[i]!, metricName: 'database_query_duration_seconds_count' },
      ];
    }),
  );
  return ({ operation, durationSeconds, success }) => {
    const i = OPERATION_INDEX[operation];
    queries[i]! += 1;
    sums[i]! += durationSeconds;
    const counts = bucketCounts[i]!;
    let b = 0;
    while (b < buckets.length && durationSeconds > buckets[b]!) b++;
    counts[b]! += 1;
    if (!success) errors[i]! += 1;
  };
}

/** The pool's connections in use and callers waiting, summed over the attached engines when scraped. */
function registerPoolGauges(prom: NonNullable<PrometheusMetricsOptions['promClient']>, registry: Registry, engines: Set<Engine>): void {
  const sum = (read: (e: Engine) => number) => [...engines].reduce((total, e) => total + read(e), 0);
  new prom.Gauge({
    name: 'database_connections_active',
    help: 'Active connections (checked out of the pool)',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.poolStats().inUse));
    },
  });
  new prom.Gauge({
    name: 'database_pool_waiting',
    help: 'Callers waiting for a pooled connection',
    registers: [registry],
    collect() {
      this.set(sum((e) => e.poolStats().waiting));
    },
  });
}

const OPERATIONS = ['select', 'insert', 'update', 'delete', 'other'] as const;
const OPERATION_INDEX: Record<(typeof OPERATIONS)[number], number> = { select: 0, insert: 1, update: 2, delete: 3, other: 4 };

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Each replica's state and lag, from the engines' last checks when scraped. */
function registerReplicaGauges(registry: Registry, engines: Set<Engine>): void {
  const replicas = () => [...engines].flatMap((e) => e.replicaStatus());
  register(registry, 'database_replica_up', 'Whether the read replica serves reads (1) or is skipped (0)', 'gauge', () =>
    replicas().map((r) => ({ labels: { replica: r.name }, value: r.state === 'up' ? 1 : 0 })),
  );
  register(registry, 'database_replica_lag_seconds', 'Seconds the read replica is behind the primary at its last check', 'gauge', () =>
    replicas().flatMap((r) => (r.lagSeconds === null ? [] : [{ labels: { replica: r.name }, value: r.lagSeconds }])),
  );
}

/**
 * Registers a collector that prom-client reads like its own metrics (`get()` returning name, help,
 * type and values), both in the text exposition and in `getMetricsAsJSON()`.
 */
function register(registry: Registry, name: string, help: string, type: 'counter' | 'histogram' | 'gauge', values: () => Sample[]): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
