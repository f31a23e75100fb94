import type { Attributes, HrTime } from '@opentelemetry/api';
import type { MetricProducer, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { parseConnectionUrl } from '../config/connection-url.js';
import type { Engine } from '../engine/create-engine.js';
import type { MetricsHooks } from './instrument.js';
import { operationAttributes } from './opentelemetry-metrics.js';

/** What {@link createOpenTelemetryMetricProducer} returns: hooks for `instrument`, and the producer for your reader. */
export interface OpenTelemetryMetricProducer {
  /** Pass to {@link instrument}. */
  hooks: MetricsHooks;
  /** Pass to your MetricReader: `new PeriodicExportingMetricReader({ exporter, metricProducers: [producer] })`. */
  producer: MetricProducer;
}

/** Options for {@link createOpenTelemetryMetricProducer}. */
export interface OpenTelemetryMetricProducerOptions {
  /** Histogram bucket boundaries in seconds. Default: the ones `createOpenTelemetryMetrics` advises. */
  boundaries?: number[];
  /** Instrumentation scope name. Default: `foodsave-db`. */
  scopeName?: string;
}

// The numeric values of the SDK's enums (DataPointType, AggregationTemporality, ValueType), so the SDK
// is needed for its types only.
const HISTOGRAM = 0;
const GAUGE = 2;
const SUM = 3;
const CUMULATIVE = 1;
const DOUBLE = 1;
const INT = 0;

interface Series {
  attributes: Attributes;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/**
 * The same OpenTelemetry metrics as {@link createOpenTelemetryMetrics}, aggregated by the library and
 * handed to your MetricReader as a MetricProducer at collection time. Each query then costs an array
 * increment instead of the SDK's per-record work (attribute hashing, context lookup), which is what
 * keeps the OpenTelemetry path under 5% of a query's client CPU. Cumulative temporality.
 *
 * @example
 * ```ts
 * const otel = createOpenTelemetryMetricProducer();
 * instrument(engine, otel.hooks);
 * const reader = new PeriodicExportingMetricReader({ exporter, metricProducers: [otel.producer] });
 * ```
 */
export function createOpenTelemetryMetricProducer(options: OpenTelemetryMetricProducerOptions = {}): OpenTelemetryMetricProducer {
  const boundaries = [...(options.boundaries ?? [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10])].sort((a, b) => a - b);
  const scope = { name: options.scopeName ?? 'foodsave-db' };
  const start = hrNow();
  const series = new SeriesStore(boundaries.length + 1);
  const engines = new Map<Engine, string>();

  const hooks: MetricsHooks = {
    onQuery({ operation, table, durationSeconds, success, errorType }) {
      const s = series.of(operation, table, success ? undefined : (errorType ?? '_OTHER'));
      let b = 0;
      while (b < boundaries.length && durationSeconds > boundaries[b]!) b++;
      s.counts[b]! += 1;
      s.sum += durationSeconds;
      s.count += 1;
      if (durationSeconds < s.min) s.min = durationSeconds;
      if (durationSeconds > s.max) s.max = durationSeconds;
    },
    attach(engine) {
      const { host, port, database } = parseConnectionUrl(engine.connectionUrl);
      engines.set(engine, `${host}:${port}/${database}`);
      return () => engines.delete(engine);
    },
  };

  const producer: MetricProducer = {
    async collect() {
      const window = { startTime: start, endTime: hrNow() };
      const resourceMetrics = {
        // The reader keeps the SDK's own resource; only scopeMetrics are merged from producers.
        resource: undefined,
        scopeMetrics: [{ scope, metrics: [durationMetric(series.all(), boundaries, window), connectionMetric(engines, window), ...replicaMetrics(engines, window)] }],
      } as unknown as ResourceMetrics;
      return { resourceMetrics, errors: [] };
    },
  };

  return { hooks, producer };
}

/** The start and end of a cumulative data point. */
interface Window {
  startTime: HrTime;
  endTime: HrTime;
}

/** The series by operation → table → error type: nested maps, so the hot path builds no key strings. */
class SeriesStore {
  private readonly byOperation = new Map<string, Map<string, Map<string, Series>>>();

  constructor(private readonly buckets: number) {}

  of(operation: string, table: string | undefined, errorType: string | undefined): Series {
    let byTable = this.byOperation.get(operation);
    if (!byTable) this.byOperation.set(operation, (byTable = new Map()));
    let byError = byTable.get(table ?? '');
    if (!byError) byTable.set(table ?? '', (byError = new Map()));
    let s = byError.get(errorType ?? '');
    if (!s) {
      s = { attributes: operationAttributes(operation, table, errorType), counts: new Array<number>(this.buckets).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity };
      byError.set(errorType ?? '', s);
    }
    return s;
  }

  all(): Series[] {
    return [...this.byOperation.values()].flatMap((t) => [...t.values()].flatMap((e) => [...e.values()]));
  }
}

function durationMetric(all: Series[], boundaries: number[], window: Window) {
  return {
    descriptor: { name: 'db.client.operation.duration', description: 'Duration of database client operations.', unit: 's', valueType: DOUBLE },
    aggregationTemporality: CUMULATIVE,
    dataPointType: HISTOGRAM,
    dataPoints: all.map((s) => ({
      ...window,
      attributes: s.attributes,
      value: { buckets: { boundaries, counts: [...s.counts] }, sum: s.sum, count: s.count, ...(s.count > 0 ? { min: s.min, max: s.max } : {}) },
    })),
  };
}

function connectionMetric(engines: Map<Engine, string>, window: Window) {
  return {
    descriptor: {
      name: 'db.client.connection.count',
      description: 'The number of connections that are currently in the state described by the state attribute.',
      unit: '{connection}',
      valueType: INT,
    },
    aggregationTemporality: CUMULATIVE,
    dataPointType: SUM,
    isMonotonic: false,
    dataPoints: [...engines].flatMap(([engine, pool]) => {
      const stats = engine.poolStats();
      return [
        { ...window, attributes: { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': pool }, value: stats.available },
        { ...window, attributes: { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': pool }, value: stats.inUse },
      ];
    }),
  };
}

function replicaMetrics(engines: Map<Engine, string>, window: Window) {
  const replicas = [...engines.keys()].flatMap((engine) => engine.replicaStatus());
  const point = (attributes: Attributes, value: number) => ({ ...window, attributes, value });
  return [
    {
      descriptor: { name: 'db.client.replica.lag', description: 'Seconds each read replica is behind the primary at its last check.', unit: 's', valueType: DOUBLE },
      dataPointType: GAUGE,
      aggregationTemporality: CUMULATIVE,
      dataPoints: replicas.flatMap((r) => (r.lagSeconds === null ? [] : [point({ 'db.client.replica': r.name }, r.lagSeconds)])),
    },
    {
      descriptor: { name: 'db.client.replica.up', description: 'Whether each read replica serves reads (1) or is skipped, lagging or down (0).', unit: '1', valueType: INT },
      dataPointType: GAUGE,
      aggregationTemporality: CUMULATIVE,
      dataPoints: replicas.map((r) => point({ 'db.client.replica': r.name, 'db.client.replica.state': r.state }, r.state === 'up' ? 1 : 0)),
    },
  ];
}

function hrNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
