import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, runMigrations, type Engine } from '../src/index.js';
import { migrations } from '../src/entries/migrations.js';
import { checkDatabaseHealth } from '../src/entries/ops.js';
import { startEmbedded, type PostgresServer } from './support/postgres-server.js';

// Its own server, because this file stops and restarts it.
let server: PostgresServer;
let engine: Engine;
const password = () => decodeURIComponent(new URL(server.url).password);

beforeAll(async () => {
  server = await startEmbedded();
  engine = createEngine({ env: {}, url: server.url, poolSize: 1, maxOverflow: 1, poolTimeout: 30 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

describe('checkDatabaseHealth', () => {
  it('reports pending migrations before they run, and the document fields after', async () => {
    const before = await checkDatabaseHealth(engine);
    expect(before).toMatchObject({ status: 'healthy', conversationCount: null, pendingMigrations: migrations.length });
    await runMigrations(engine);
    await engine.sequelize.query("INSERT INTO conversations (session_id) VALUES ('h1'), ('h2')");
    const report = await checkDatabaseHealth(engine);
    expect(report).toMatchObject({
      status: 'healthy',
      conversationCount: 2,
      pendingMigrations: 0,
      poolSize: expect.any(Number),
      checkedIn: expect.any(Number),
      checkedOut: 0,
      overflow: 0,
      invalid: expect.any(Number),
      pool: { size: expect.any(Number), available: expect.any(Number), inUse: 0, waiting: 0, max: 2 },
    });
    expect(report.responseTime).toBeGreaterThan(0);
    expect(report.error).toBeUndefined();
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
    const closed = createEngine({ env: {}, url: server.url, poolSize: 1 });
    await closed.close();
    const report = await checkDatabaseHealth(closed);
    expect(report.status).toBe('unhealthy');
    expect(report.error).toBeTruthy();
  });
});
