/**
 * Read replicas and primary failover on real PostgreSQL streaming replication: a primary and two
 * standbys made with `pg_basebackup -R` (Debian's PostgreSQL 15), started by the test setup. The primary
 * waits for standby1 to flush each commit (`synchronous_standby_names = standby1`), so a write that
 * returned success survives the loss of the primary.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, ConnectionError, createEngine, createFoodsave, migrationStatus, runMigrations, type Engine, type EngineOptions } from '../src/index.js';
import { checkDatabaseHealth, createBackup, instrument } from '../src/entries/ops.js';
import { createOpenTelemetryMetricProducer } from '../src/entries/opentelemetry.js';
import { createPrometheusMetrics } from '../src/entries/prometheus.js';
import { componentMissing, pgToolsMissingReason } from './support/components.js';
import { rawQuery } from './support/test-database.js';
import { replicationMissingReason, startReplicationCluster, type ClusterNode, type ReplicationCluster } from './support/replication-cluster.js';

const DATABASE = 'foodsave_replication';
const APP = 'fsdb-replication-test';
const missing = componentMissing('streaming replication', replicationMissingReason());

describe.skipIf(missing)('read replicas and failover on streaming replication', () => {
  let cluster: ReplicationCluster;
  const engines: Engine[] = [];
  const url = (node: ClusterNode) => `${cluster.urlFor(node, DATABASE)}${cluster.urlFor(node, DATABASE).includes('?') ? '&' : '?'}application_name=${APP}`;
  const engineWith = (options: EngineOptions) => {
    const engine = createEngine({ env: {}, poolSize: 2, maxOverflow: 4, queryTimeout: 5, connectTimeout: 2, ...options });
    engines.push(engine);
    return engine;
  };
  const replicated = (options: EngineOptions = {}) =>
    engineWith({ url: url(cluster.primary), replicaUrls: [url(cluster.standby1), url(cluster.standby2)], replicaMaxLag: 1, replicaCheckInterval: 0.2, ...options });
  const query = <R extends pg.QueryResultRow>(node: ClusterNode, text: string, values: unknown[] = []) => rawQuery<R>(cluster.urlFor(node, DATABASE), text, values);
  /** The statements the library's connections last ran on a server. */
  const lastStatements = async (node: ClusterNode) =>
    (await query<{ query: string }>(node, 'SELECT query FROM pg_stat_activity WHERE application_name = $1', [APP])).map((r) => r.query);
  const newUser = async (engine: Engine) => {
    const suffix = randomUUID().slice(0, 8);
    return createFoodsave(engine).admin.users.create({ username: `repl-${suffix}`, email: `repl-${suffix}@example.com` });
  };

  beforeAll(async () => {
    cluster = await startReplicationCluster({ synchronousStandby1: true });
    const admin = new pg.Client({ connectionString: cluster.primary.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const migrator = engineWith({ url: cluster.urlFor(cluster.primary, DATABASE) });
    await runMigrations(migrator);
    await cluster.waitForCatchUp();
  }, 180_000);

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
    await cluster?.stop();
  }, 60_000);

  it("sends reads to the replicas in turn and writes to the primary, as each server's pg_stat_activity shows", async () => {
    // Checked once, when the first read asks: a lag check on the connection that served a read would
    // replace the read as that connection's last statement before pg_stat_activity is looked at.
    const engine = replicated({ replicaCheckInterval: 3600 });
    const served: (string | undefined)[] = [];
    engine.events.on('query', (e) => served.push(e.replica));
    const user = await newUser(engine);
    await cluster.waitForCatchUp();
    const users = createFoodsave(engine).admin.users;
    for (let i = 0; i < 6; i++) expect((await users.get(user.id))?.username).toBe(user.username);

    const names = engine.replicaStatus().map((r) => r.name);
    expect(served[0]).toBeUndefined(); // the insert
    expect(new Set(served.slice(1))).toEqual(new Set(names));
    const read = (s: string) => /^SELECT\b/.test(s) && s.includes('"users"');
    for (const standby of [cluster.standby1, cluster.standby2]) expect((await lastStatements(standby)).some(read)).toBe(true);
    const onPrimary = await lastStatements(cluster.primary);
    expect(onPrimary.some((s) => /^INSERT INTO/.test(s))).toBe(true);
    expect(onPrimary.some(read)).toBe(false);
    expect(engine.replicaStatus().map((r) => r.state)).toEqual(['up', 'up']);
  });

  it("reads its own write at once with consistency: 'primary', while the replicas have not replayed it", async () => {
    const engine = replicated();
    const db = createFoodsave(engine);
    const user = await newUser(engine);
    await cluster.waitForCatchUp();
    await cluster.standby1.pauseReplay();
    await cluster.standby2.pauseReplay();
    try {
      const me = db.forUser(user.id);
      const conversation = await me.conversations.create({ sessionId: `s-${randomUUID()}` });
      expect(await me.conversations.get(conversation.id, { consistency: 'primary' })).toMatchObject({ id: conversation.id });
      // The replicas are within the lag bound (they were caught up a moment ago), so a plain read may go there.
      expect(await me.conversations.get(conversation.id)).toBeNull();
      await expect(me.conversations.get(conversation.id, { consistency: 'newest' as 'primary' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      await cluster.standby1.resumeReplay();
      await cluster.standby2.resumeReplay();
    }
  });

  it('skips a stopped replica: every read succeeds within the query deadline, and the replica rejoins when it is back', async () => {
    const engine = replicated();
    const user = await newUser(engine);
    await cluster.waitForCatchUp();
    const users = createFoodsave(engine).admin.users;
    await users.get(user.id); // both replicas have pooled connections now
    await cluster.standby2.stop();
    try {
      const served: (string | undefined)[] = [];
      engine.events.on('query', (e) => served.push(e.replica));
      for (let i = 0; i < 6; i++) expect((await users.get(user.id))?.id).toBe(user.id);
      const [one, two] = engine.replicaStatus();
      expect(two).toMatchObject({ name: `127.0.0.1:${cluster.standby2.port}`, state: 'down', lagSeconds: null });
      expect(two!.error).toBeTruthy();
      expect(one!.state).toBe('up');
      expect(served.filter((r) => r !== undefined).every((r) => r === one!.name)).toBe(true);
      const health = await checkDatabaseHealth(engine, { timeoutMs: 5000 });
      expect(health.status).toBe('degraded');
      expect(health.warnings?.join('\n')).toMatch(new RegExp(`replica 127.0.0.1:${cluster.standby2.port} is down`));
    } finally {
      await cluster.standby2.start();
    }
    await cluster.waitForCatchUp();
    expect((await engine.checkReplicas()).map((r) => r.state)).toEqual(['up', 'up']);
  });

  it('skips a replica whose replay is paused past the lag bound, shows its lag in health and metrics, and uses it again once it catches up', async () => {
    const engine = replicated();
    const registry = new Registry();
    instrument(engine, createPrometheusMetrics({ registry }));
    const otel = createOpenTelemetryMetricProducer();
    instrument(engine, otel.hooks);
    const db = createFoodsave(engine);
    const user = await newUser(engine);
    await cluster.waitForCatchUp();
    await cluster.standby2.pauseReplay();
    try {
      // Writes keep coming, so standby2 receives WAL it does not replay: its lag grows past 1 s.
      const me = db.forUser(user.id);
      let status = engine.replicaStatus();
      for (let i = 0; i < 100 && status[1]!.state !== 'lagging'; i++) {
        await me.conversations.create({ sessionId: `lag-${randomUUID()}` });
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await engine.checkReplicas();
      }
      expect(status[1]).toMatchObject({ state: 'lagging', standby: true });
      expect(status[1]!.lagSeconds!).toBeGreaterThan(1);
      expect(status[0]!.state).toBe('up');

      const served: (string | undefined)[] = [];
      engine.events.on('query', (e) => served.push(e.replica));
      for (let i = 0; i < 4; i++) await me.conversations.list();
      expect(served).toEqual(Array(4).fill(status[0]!.name));

      const health = await checkDatabaseHealth(engine, { timeoutMs: 5000 });
      expect(health.replicas[1]).toMatchObject({ state: 'lagging' });
      expect(health.warnings?.join('\n')).toMatch(/lags/);
      const text = await registry.metrics();
      expect(text).toContain(`database_replica_up{replica="${status[1]!.name}"} 0`);
      expect(text).toContain(`database_replica_up{replica="${status[0]!.name}"} 1`);
      expect(text).toMatch(new RegExp(`database_replica_lag_seconds\\{replica="${status[1]!.name.replace(/\./g, '\\.')}"\\} [1-9]`));
      const { resourceMetrics } = await otel.producer.collect();
      const metrics = resourceMetrics.scopeMetrics[0]!.metrics;
      const up = metrics.find((m) => m.descriptor.name === 'db.client.replica.up')!.dataPoints;
      expect(up.map((p) => [p.attributes['db.client.replica'], p.attributes['db.client.replica.state'], p.value])).toEqual([
        [status[0]!.name, 'up', 1],
        [status[1]!.name, 'lagging', 0],
      ]);
      const lag = metrics.find((m) => m.descriptor.name === 'db.client.replica.lag')!.dataPoints;
      expect(lag[1]!.value).toBeGreaterThan(1);
    } finally {
      await cluster.standby2.resumeReplay();
    }
    await cluster.waitForCatchUp();
    expect((await engine.checkReplicas())[1]!.state).toBe('up');
  });

  it('after a write refused as read-only (25006), drops the connection and finds the writable host of the list', async () => {
    // `any` settles on the first host that answers: here a standby, listed first.
    const hosts = [cluster.standby1, cluster.primary].map((n) => `127.0.0.1:${n.port}`).join(',');
    const engine = engineWith({ url: cluster.urlFor(cluster.primary, DATABASE).replace(`127.0.0.1:${cluster.primary.port}`, hosts), poolSize: 1, maxOverflow: 0 });
    const users = createFoodsave(engine).admin.users;
    const attempt = () => users.create({ username: `ro-${randomUUID().slice(0, 8)}`, email: `ro-${randomUUID().slice(0, 8)}@example.com` });
    const refused = await attempt().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused).toMatchObject({ code: 'CONNECTION_FAILED', sqlState: '25006' });
    const created = await attempt();
    expect((await query<{ n: string }>(cluster.primary, 'SELECT count(*) AS n FROM users WHERE id = $1', [created.id]))[0]!.n).toBe('1');
    expect(engine.poolStats().discarded).toBe(1);
  });

  it('refuses a host list in which no server matches target_session_attrs, naming each host and why', async () => {
    const hosts = [cluster.standby1, cluster.standby2].map((n) => `127.0.0.1:${n.port}`).join(',');
    const base = cluster.urlFor(cluster.primary, DATABASE).replace(`127.0.0.1:${cluster.primary.port}`, hosts);
    const engine = engineWith({ url: `${base}${base.includes('?') ? '&' : '?'}target_session_attrs=primary` });
    const error = await createFoodsave(engine).admin.users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    for (const node of [cluster.standby1, cluster.standby2]) {
      expect((error as Error).message).toContain(`127.0.0.1:${node.port}: does not accept target_session_attrs=primary`);
    }
    const standbys = engineWith({ url: base, targetSessionAttrs: 'standby' });
    expect(await createFoodsave(standbys).admin.users.list({ limit: 1 })).toHaveLength(1);
  });

  it('backs up a standby on request, and refuses a standby when the primary is asked for', async () => {
    const reason = await pgToolsMissingReason(15);
    if (componentMissing('pg_dump', reason)) return;
    const dir = await mkdtemp(path.join(tmpdir(), 'foodsave-replica-backup-'));
    try {
      const standbyUrl = cluster.urlFor(cluster.standby1, DATABASE);
      const backup = await createBackup({ databaseUrl: standbyUrl, dir, from: 'standby' });
      expect(backup.bytes).toBeGreaterThan(0);
      const onStandby = await query<{ n: string }>(cluster.standby1, 'SELECT count(*) AS n FROM users');
      expect(backup.command.join(' ')).toContain('target_session_attrs=prefer-standby');
      const manifest = JSON.parse(await (await import('node:fs/promises')).readFile(backup.manifestPath, 'utf8')) as { rowCounts: Record<string, number> };
      expect(manifest.rowCounts['public.users']).toBe(Number(onStandby[0]!.n));
      await expect(createBackup({ databaseUrl: standbyUrl, dir })).rejects.toThrow(BackupError);
      await expect(createBackup({ databaseUrl: standbyUrl, dir })).rejects.toThrow(/target_session_attrs=read-write/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails over: with 8 writers looping, the primary stops, standby1 is promoted, and writes resume on it with none lost', async () => {
    const hosts = [cluster.primary, cluster.standby1, cluster.standby2].map((n) => `127.0.0.1:${n.port}`).join(',');
    const multiHost = cluster.urlFor(cluster.primary, DATABASE).replace(`127.0.0.1:${cluster.primary.port}`, hosts);
    const engine = engineWith({ url: `${multiHost}${multiHost.includes('?') ? '&' : '?'}target_session_attrs=read-write`, poolSize: 8 });
    const me = createFoodsave(engine).forUser((await newUser(engine)).id);
    const committed: string[] = [];
    const failures = new Map<string, number>();
    let firstAfterPromotion: number | undefined;
    let promotedAt: number | undefined;
    let promotionStartedAt: number | undefined;
    let running = true;
    const writer = async () => {
      while (running) {
        try {
          const c = await me.conversations.create({ sessionId: `fo-${randomUUID()}` });
          committed.push(c.id);
          if (promotionStartedAt !== undefined) firstAfterPromotion ??= performance.now();
        } catch (error) {
          expect(error).toBeInstanceOf(ConnectionError);
          failures.set((error as ConnectionError).sqlState ?? 'none', (failures.get((error as ConnectionError).sqlState ?? 'none') ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = committed.length;
    const stoppedAt = performance.now();
    await cluster.primary.stop('fast');
    promotionStartedAt = performance.now();
    await cluster.standby1.promote();
    promotedAt = performance.now();
    await cluster.standby2.followPrimary(cluster.standby1);
    for (let i = 0; i < 200 && firstAfterPromotion === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await Promise.all(writers);

    expect(before).toBeGreaterThan(0);
    expect(firstAfterPromotion).toBeDefined();
    // From `pg_ctl promote` on, so the promotion's own time counts too.
    const recoveryMs = firstAfterPromotion! - promotionStartedAt!;
    console.log(
      `[replication] failover: ${committed.length} writes committed (${before} before the stop); writes resumed ${recoveryMs.toFixed(0)} ms after ` +
        `pg_ctl promote began (promotion took ${(promotedAt! - promotionStartedAt!).toFixed(0)} ms; ${(firstAfterPromotion! - stoppedAt).toFixed(0)} ms after ` +
        `the primary's stop began); failed attempts by SQLSTATE: ${JSON.stringify(Object.fromEntries(failures))}`,
    );
    const present = await query<{ n: string }>(cluster.standby1, 'SELECT count(*) AS n FROM conversations WHERE id = ANY($1::uuid[])', [committed]);
    expect(Number(present[0]!.n)).toBe(committed.length);

    // The old primary's connections are gone from the pool; migrations find the new primary themselves.
    const status = await migrationStatus(engine);
    expect(status.pending).toEqual([]);
    await cluster.waitForCatchUp(cluster.standby1);
    const onStandby2 = await query<{ n: string }>(cluster.standby2, 'SELECT count(*) AS n FROM conversations WHERE id = ANY($1::uuid[])', [committed]);
    expect(Number(onStandby2[0]!.n)).toBe(committed.length);
  }, 120_000);
});
