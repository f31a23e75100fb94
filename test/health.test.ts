import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, runMigrations, type Engine } from '../src/index.js';
import { migrations } from '../src/entries/migrations.js';
import { checkDatabaseHealth } from '../src/entries/ops.js';
import { startEmbedded, type PostgresServer } from './support/postgres-server.js';
import { tbl, testEnv } from './support/test-database.js';

// Its own server, because this file stops and restarts it.
let server: PostgresServer;
let engine: Engine;
const password = () => decodeURIComponent(new URL(server.url).password);

beforeAll(async () => {
  server = await startEmbedded();
  engine = createEngine({ env: testEnv, url: server.url, poolSize: 1, maxOverflow: 1, poolTimeout: 30 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

describe('checkDatabaseHealth', () => {
  const names = migrations.map((m) => m.name);

  it('is degraded while migrations are pending (none or some applied), and healthy with the document fields once all are', async () => {
    const before = await checkDatabaseHealth(engine);
    expect(before).toMatchObject({
      status: 'degraded',
      conversationCount: null,
      pendingMigrations: migrations.length,
      migrations: { pending: names, changed: [], unknown: [] },
    });
    expect(before.warnings).toEqual([`${names.length} migrations pending: ${names[0]} ... ${names.at(-1)}`]);
    expect(before.error).toBeUndefined();

    await runMigrations(engine, { to: names[2] });
    const partly = await checkDatabaseHealth(engine);
    expect(partly).toMatchObject({ status: 'degraded', pendingMigrations: names.length - 3, migrations: { pending: names.slice(3) } });
    expect(partly.warnings).toHaveLength(1);

    await runMigrations(engine);
    await engine.sequelize.query(`INSERT INTO ${tbl('conversations')} (session_id) VALUES ('h1'), ('h2')`);
    const report = await checkDatabaseHealth(engine);
    expect(report).toMatchObject({
      status: 'healthy',
      conversationCount: 2,
      pendingMigrations: 0,
      migrations: { pending: [], changed: [], unknown: [] },
      poolSize: expect.any(Number),
      checkedIn: expect.any(Number),
      checkedOut: 0,
      overflow: 0,
      invalid: expect.any(Number),
      pool: { size: expect.any(Number), available: expect.any(Number), inUse: 0, waiting: 0, max: 2 },
    });
    expect(report.responseTime).toBeGreaterThan(0);
    expect(report.error).toBeUndefined();
    expect(report.warnings).toBeUndefined();
  });

  it('is degraded by a migration changed since it ran, and stays healthy with one applied by a newer version', async () => {
    const changed = migrations.map((m, i) => (i === 1 ? { ...m, up: `${m.up}\n-- edited` } : m));
    const drift = await checkDatabaseHealth(engine, { migrations: changed });
    expect(drift).toMatchObject({ status: 'degraded', pendingMigrations: 0, migrations: { changed: [names[1]] } });
    expect(drift.warnings).toEqual([`1 applied migration changed since they ran: ${names[1]}`]);

    const older = await checkDatabaseHealth(engine, { migrations: migrations.slice(0, -1) });
    expect(older).toMatchObject({ status: 'healthy', pendingMigrations: 0, migrations: { pending: [], changed: [], unknown: [names.at(-1)] } });
  });

  it('is degraded, not unhealthy, when the database answers but the migration status cannot be read', async () => {
    // A bookkeeping table the application role may not read: the status is unreadable, the database answers.
    const unreadable = createEngine({ env: testEnv, url: server.url, poolSize: 1 });
    await engine.sequelize.query(`ALTER TABLE ${tbl('foodsave_db_migrations')} RENAME TO foodsave_db_migrations_hidden`);
    await engine.sequelize.query(`CREATE VIEW ${tbl('foodsave_db_migrations')} AS SELECT name, checksum, executed_at FROM ${tbl('foodsave_db_migrations_hidden')} WHERE 1 / 0 = 1`);
    try {
      const report = await checkDatabaseHealth(unreadable);
      expect(report).toMatchObject({ status: 'degraded', pendingMigrations: null, migrations: null });
      expect(report.conversationCount).toBe(2);
      expect(report.warnings).toHaveLength(1);
      expect(report.warnings![0]).toMatch(/^cannot read the migration status: /);
    } finally {
      await engine.sequelize.query(`DROP VIEW ${tbl('foodsave_db_migrations')}`);
      await engine.sequelize.query(`ALTER TABLE ${tbl('foodsave_db_migrations_hidden')} RENAME TO foodsave_db_migrations`);
      await unreadable.close();
    }
  });

  it('does not wait out the pool acquire timeout when the pool is exhausted', async () => {
    const held = await Promise.all([engine.sequelize.transaction(), engine.sequelize.transaction()]);
    try {
      // poolTimeout is 30 s; the test's own 10 s limit fails it if the check waited for the pool.
      const report = await checkDatabaseHealth(engine, { timeoutMs: 300 });
      expect(report.status).toBe('unhealthy');
      expect(report.error).toBe('health check timed out after 300 ms');
      expect(report.pool.waiting).toBeGreaterThanOrEqual(0);
    } finally {
      await Promise.all(held.map((t) => t.rollback()));
    }
  }, 10_000);

  it('is unhealthy while the server is stopped, with a short error and no password, and healthy once it is back', async () => {
    await server.halt!();
    const down = await checkDatabaseHealth(engine, { timeoutMs: 2000 });
    expect(down.status).toBe('unhealthy');
    expect(down.conversationCount).toBeNull();
    expect(down.error).toBeTruthy();
    expect(down.error!.length).toBeLessThanOrEqual(200);
    expect(JSON.stringify(down)).not.toContain(password());
    await server.resume!();
    await vi.waitFor(async () => expect((await checkDatabaseHealth(engine)).status).toBe('healthy'), { timeout: 20_000, interval: 200 });
  }, 60_000);

  it('never throws, even on a closed engine', async () => {
    const closed = createEngine({ env: testEnv, url: server.url, poolSize: 1 });
    await closed.close();
    const report = await checkDatabaseHealth(closed);
    expect(report.status).toBe('unhealthy');
    expect(report.error).toBeTruthy();
  });
});
