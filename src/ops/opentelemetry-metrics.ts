import type { Attributes, Meter } from '@opentelemetry/api';
import type { Engine } from '../engine/create-engine.js';
import { parseConnectionUrl } from '../config/connection-url.js';
import type { MetricsHooks } from './instrument.js';

/** Options for {@link createOpenTelemetryMetrics}. */
export interface OpenTelemetryMetricsOptions {
  /** The meter to create instruments on, from the host's MeterProvider. */
  meter: Meter;
}

/**
 * The database-client semantic-convention attributes of one operation, frozen.
 *
 * @internal
 */
export function operationAttributes(operation: string, table: string | undefined, errorType: string | undefined): Attributes {
  const attributes: Attributes = { 'db.system.name': 'postgresql' };
  if (operation !== 'other') attributes['db.operation.name'] = operation.toUpperCase();
  if (table) attributes['db.collection.name'] = table;
  if (errorType) attributes['error.type'] = errorType;
  return Object.freeze(attributes);
}

/**
 * OpenTelemetry metrics following the database client semantic conventions:
 * - `db.client.operation.duration` (histogram, seconds) with `db.system.name=postgresql`,
 *   `db.operation.name` (`SELECT`, `INSERT`, ...), `db.collection.name` (the table) and, on failure,
 *   `error.type`;
 * - `db.client.connection.count` with `db.client.connection.state` `idle` or `used` and
 *   `db.client.connection.pool.name` (`host:port/database`).
 * - `db.client.replica.lag` (seconds) and `db.client.replica.up` (1 or 0) for each read replica, with
 *   `db.client.replica` (`host:port`) and `db.client.replica.state`; library-specific, as the semantic
 *   conventions have no replica metrics.
 *
 * `@opentelemetry/api` is an optional peer dependency; only its types are used here.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * instrument(engine, createOpenTelemetryMetrics({ meter: metrics.getMeter('foodsave') }));
 * ```
 */
export function createOpenTelemetryMetrics(options: OpenTelemetryMetricsOptions): MetricsHooks {
  const { meter } = options;
  const engines = new Map<Engine, string>();
  const duration = meter.createHistogram('db.client.operation.duration', {
    unit: 's',
    description: 'Duration of database client operations.',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
  });
  observePoolsAndReplicas(meter, engines);

  // One frozen attribute set per (operation, table, error type), built once: this runs after every query.
  const attributeSets = new Map<string, Attributes>();
  const attributesFor = (operation: string, table: string | undefined, errorType: string | undefined): Attributes => {
    const key = `${operation}\u0000${table ?? ''}\u0000${errorType ?? ''}`;
    let attributes = attributeSets.get(key);
    if (!attributes) {
      attributes = operationAttributes(operation, table, errorType);
      if (attributeSets.size < 1000) attributeSets.set(key, attributes);
    }
    return attributes;
  };

  return {
    onQuery({ operation, table, durationSeconds, success, errorType }) {
      duration.record(durationSeconds, attributesFor(operation, table, success ? undefined : (errorType ?? '_OTHER')));
    },
    attach(engine) {
      const { host, port, database } = parseConnectionUrl(engine.connectionUrl);
      engines.set(engine, `${host}:${port}/${database}`);
      return () => engines.delete(engine);
    },
  };
}

/** The pools' connections by state and each replica's lag and state, observed when the reader collects. */
function observePoolsAndReplicas(meter: OpenTelemetryMetricsOptions['meter'], engines: Map<Engine, string>): void {
  const connections = meter.createObservableUpDownCounter('db.client.connection.count', {
    unit: '{connection}',
    description: 'The number of connections that are currently in the state described by the state attribute.',
  });
  connections.addCallback((result) => {
    for (const [engine, pool] of engines) {
      const stats = engine.poolStats();
      result.observe(stats.available, { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': pool });
      result.observe(stats.inUse, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': pool });
    }
  });

  const replicaLag = meter.createObservableGauge('db.client.replica.lag', {
    unit: 's',
    description: 'Seconds each read replica is behind the primary at its last check.',
  });
  replicaLag.addCallback((result) => {
    for (const engine of engines.keys()) {
      for (const r of engine.replicaStatus()) if (r.lagSeconds !== null) result.observe(r.lagSeconds, { 'db.client.replica': r.name });
    }
  });
  const replicaUp = meter.createObservableGauge('db.client.replica.up', {
    unit: '1',
    description: 'Whether each read replica serves reads (1) or is skipped, lagging or down (0).',
  });
  replicaUp.addCallback((result) => {
    for (const engine of engines.keys()) {
      for (const r of engine.replicaStatus()) result.observe(r.state === 'up' ? 1 : 0, { 'db.client.replica': r.name, 'db.client.replica.state': r.state });
    }
  });
}
