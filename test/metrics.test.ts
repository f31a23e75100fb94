import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createAdminRepositories, createEngine } from '../src/index.js';
import { instrument, type QueryMetric } from '../src/entries/ops.js';
import { createOpenTelemetryMetricProducer, createOpenTelemetryMetrics } from '../src/entries/opentelemetry.js';
import { createPrometheusMetrics } from '../src/entries/prometheus.js';
import { createSqlClassifier } from '../src/ops/sql-operation.js';
import { makeUser } from './support/fixtures.js';
import { useTestDatabase, testEnv } from './support/test-database.js';

const t = useTestDatabase({ label: 'metrics' });

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

describe('SQL classification', () => {
  it.each([
    ['SELECT id FROM users WHERE id = $1', 'select', 'users'],
    ['select * from "pantry_items" where user_id = $1', 'select', 'pantry_items'],
    ['INSERT INTO messages (a) VALUES ($1) RETURNING id', 'insert', 'messages'],
    ['UPDATE users SET preferences = $2 WHERE id = $1', 'update', 'users'],
    ['DELETE FROM meal_plan_items mi WHERE mi.id = $1', 'delete', 'meal_plan_items'],
    ['WITH r AS (INSERT INTO receipts (x) VALUES (1) RETURNING *) SELECT * FROM r', 'insert', 'receipts'],
    ['SELECT "User"."id" FROM "public"."users" AS "User"', 'select', 'users'],
    ['BEGIN', 'other', undefined],
    ['CREATE TABLE x (id int)', 'other', undefined],
    ['/* a comment */ -- and a line\nSELECT x FROM /* inner */ "foodsave"."recipes"', 'select', 'recipes'],
    ["SELECT '--' AS a FROM conversations", 'select', 'conversations'],
    ['/* never closed SELECT x FROM users', 'other', undefined],
  ])('%s → %s %s', (sql, operation, table) => {
    expect(createSqlClassifier()(sql)).toEqual({ operation, table });
  });

  it('reads a bounded prefix: megabytes of inlined values or unclosed comments cost no more than a short statement', () => {
    const classify = createSqlClassifier();
    // Each of these is quadratic for a backtracking comment pattern over the whole text (seconds to hours).
    expect(classify(`INSERT INTO "public"."messages" (content) VALUES ('${'/*'.repeat(600_000)}')`)).toEqual({ operation: 'insert', table: 'messages' });
    expect(classify(`SELECT ${'/* x '.repeat(300_000)}`)).toEqual({ operation: 'select', table: undefined });
    expect(classify(`WITH a AS (SELECT 1) ${') select '.repeat(200_000)}`)).toEqual({ operation: 'select', table: undefined });
    expect(classify(`UPDATE users SET note = '${'--\n'.repeat(400_000)}' WHERE id = $1`)).toEqual({ operation: 'update', table: 'users' });
  });

  it('bounds its cache in characters, not entries, and never keeps a long text', () => {
    const classify = createSqlClassifier();
    for (let i = 0; i < 300; i++) classify(`SELECT * FROM users WHERE note = '${String(i).repeat(1)}${'x'.repeat(1_000_000)}'`);
    expect(classify.cachedChars).toBe(0);
    for (let i = 0; i < 5000; i++) classify(`SELECT * FROM users WHERE id = ${i} AND note = '${'y'.repeat(4000)}'`);
    expect(classify.cachedChars).toBeGreaterThan(0);
    expect(classify.cachedChars).toBeLessThanOrEqual(512 * 1024);
  });
});

describe('instrument', () => {
  it('calls onQuery for every statement with operation, table, duration and outcome, errors included', async () => {
    const seen: QueryMetric[] = [];
    const detach = instrument(t.engine, { onQuery: (m) => seen.push(m) });
    const repos = createAdminRepositories(t.engine);
    const user = await makeUser(repos);
    await repos.users.get(user.id);
    await t.engine.models.User.findAll({ where: { id: user.id } });
    await expect(t.engine.sequelize.query('SELECT * FROM no_such_table')).rejects.toThrow();
    await expect(repos.users.create({ username: user.username, email: 'dup@x.io' })).rejects.toThrow(/already taken/);
    detach();
    await repos.users.get(user.id);

    expect(seen.map((m) => [m.operation, m.table, m.success])).toEqual([
      ['insert', 'users', true],
      ['select', 'users', true],
      ['select', 'users', true],
      ['select', 'no_such_table', false],
      ['insert', 'users', false],
    ]);
    expect(seen.every((m) => m.durationSeconds >= 0)).toBe(true);
    expect(seen[3]!.errorType).toBe('DatabaseError');
  });

  it('reports pool events, and a throwing hook never breaks a query', async () => {
    const engine = createEngine({ env: testEnv, url: t.url, poolSize: 1, maxOverflow: 0, poolTimeout: 0.2 });
    const events: string[] = [];
    instrument(engine, {
      onConnect: () => events.push('connect'),
      onAcquire: () => events.push('acquire'),
      onAcquireTimeout: () => events.push('timeout'),
      onDisconnect: () => events.push('disconnect'),
      onQuery: () => {
        throw new Error('broken hook');
      },
    });
    await engine.sequelize.query('SELECT 1');
    const held = await engine.sequelize.transaction();
    await expect(engine.sequelize.query('SELECT 1')).rejects.toThrow();
    await held.rollback();
    await engine.close();
    expect(events).toEqual(expect.arrayContaining(['connect', 'acquire', 'timeout', 'disconnect']));
  });
});

describe('Prometheus', () => {
  it('exposes the document metrics with a type label on the host registry only', async () => {
    const registry = new Registry();
    const engine = createEngine({ env: testEnv, url: t.url, poolSize: 1, maxOverflow: 1, poolTimeout: 0.2 });
    const detach = instrument(engine, createPrometheusMetrics({ registry }));
    const repos = createAdminRepositories(engine);
    const user = await makeUser(repos);
    await repos.users.get(user.id);
    await repos.users.get(user.id);
    await repos.users.update(user.id, { preferences: { currency: 'EUR' } });
    await repos.users.delete(user.id);
    await expect(engine.sequelize.query('SELECT 1/0')).rejects.toThrow();
    const held = await Promise.all([engine.sequelize.transaction(), engine.sequelize.transaction()]);
    const gauges = await registry.getSingleMetricAsString('database_connections_active');
    await expect(engine.sequelize.query('SELECT 1')).rejects.toThrow();
    await Promise.all(held.map((h) => h.rollback()));

    const value = async (name: string, type?: string) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)!;
      const sample = metric.values.find((v) => (type === undefined ? true : v.labels.type === type) && !('le' in v.labels) && (v as { metricName?: string }).metricName !== `${name}_sum`);
      return sample?.value;
    };
    expect(await value('database_queries_total', 'insert')).toBe(1);
    expect(await value('database_queries_total', 'update')).toBe(1);
    expect(await value('database_queries_total', 'delete')).toBe(1);
    // SELECT 1/0, and the SELECT 1 that never got a connection: both failed queries.
    expect(await value('database_errors_total', 'select')).toBe(2);
    expect(await value('database_pool_acquire_timeouts_total')).toBe(1);
    expect(gauges).toContain('database_connections_active 2');
    const text = await registry.metrics();
    expect(text).toContain('database_query_duration_seconds_count{type="select"}');
    expect(text).toContain('database_pool_waiting 0');
    expect(globalRegistry.getMetricsAsArray().filter((m) => m.name.startsWith('database_'))).toEqual([]);
    detach();
    await engine.close();
  });

  it('refuses to run without a registry', () => {
    expect(() => createPrometheusMetrics({} as never)).toThrow(/needs \{ registry \}/);
  });
});

describe('OpenTelemetry', () => {
  it('records db.client.operation.duration and db.client.connection.count by the semantic conventions', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const engine = createEngine({ env: testEnv, url: t.url, poolSize: 1, maxOverflow: 0 });
    instrument(engine, createOpenTelemetryMetrics({ meter: provider.getMeter('foodsave-db-test') }));
    await engine.models.User.count();
    await expect(engine.sequelize.query('SELECT * FROM missing_table')).rejects.toThrow();

    const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const duration = all.find((m) => m.descriptor.name === 'db.client.operation.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    const attrs = duration.dataPoints.map((p) => p.attributes);
    expect(attrs).toContainEqual({ 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'users' });
    expect(attrs).toContainEqual({
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'missing_table',
      'error.type': 'DatabaseError',
    });
    const connections = all.find((m) => m.descriptor.name === 'db.client.connection.count')!;
    const states = connections.dataPoints.map((p) => [p.attributes['db.client.connection.state'], p.value]);
    expect(states).toEqual(expect.arrayContaining([['idle', 1], ['used', 0]]));
    expect(String(connections.dataPoints[0]!.attributes['db.client.connection.pool.name'])).toMatch(/^127\.0\.0\.1:\d+\/fsdb_/);
    await engine.close();
    await provider.shutdown();
  });
});

describe('OpenTelemetry through a MetricProducer', () => {
  it('exports the same instruments, aggregated by the library, merged by the host reader', async () => {
    const otel = createOpenTelemetryMetricProducer();
    const reader = new TestReader({ metricProducers: [otel.producer] });
    const provider = new MeterProvider({ readers: [reader] });
    const engine = createEngine({ env: testEnv, url: t.url, poolSize: 1, maxOverflow: 0 });
    const detach = instrument(engine, otel.hooks);
    await engine.models.User.count();
    await engine.models.User.count();
    await expect(engine.sequelize.query('SELECT * FROM missing_table')).rejects.toThrow();

    const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
    expect(resourceMetrics.resource).toBeDefined();
    const all = resourceMetrics.scopeMetrics.filter((s) => s.scope.name === 'foodsave-db').flatMap((s) => s.metrics);
    const duration = all.find((m) => m.descriptor.name === 'db.client.operation.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    const users = duration.dataPoints.find((p) => p.attributes['db.collection.name'] === 'users')!;
    expect(users.attributes).toEqual({ 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'users' });
    const histogram = users.value as { count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } };
    expect(histogram.count).toBe(2);
    expect(histogram.buckets.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(histogram.sum).toBeGreaterThan(0);
    expect(duration.dataPoints.find((p) => p.attributes['error.type'] === 'DatabaseError')!.attributes['db.collection.name']).toBe('missing_table');
    const connections = all.find((m) => m.descriptor.name === 'db.client.connection.count')!;
    expect(connections.dataPoints.map((p) => [p.attributes['db.client.connection.state'], p.value])).toEqual([['idle', 1], ['used', 0]]);
    detach();
    await engine.close();
    await provider.shutdown();
  });
});
