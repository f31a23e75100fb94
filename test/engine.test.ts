import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionAcquireTimeoutError, QueryTypes, type Transaction } from 'sequelize';
import { createEngine, closeEngine, type Engine, type Logger } from '../src/index.js';
import { rawPool } from '../src/engine/create-engine.js';
import { adminQuery, createTestDatabase, expectNoPassword, type TestDatabase, testEnv } from './support/test-database.js';

let db: TestDatabase;
let db2: TestDatabase;
const engines: Engine[] = [];

function engine(options: Parameters<typeof createEngine>[0] = {}): Engine {
  const e = createEngine({ env: testEnv, url: db.url, ...options });
  engines.push(e);
  return e;
}

async function backendPid(e: Engine): Promise<number> {
  const rows = await e.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
  return rows[0]!.pid;
}

function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

beforeAll(async () => {
  db = await createTestDatabase('engine');
  db2 = await createTestDatabase('engine2');
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await db.drop();
  await db2.drop();
});

describe('pool settings on the live pool', () => {
  it('uses max = poolSize + maxOverflow, min = poolSize and acquire = poolTimeout', async () => {
    const e = engine({ poolSize: 4, maxOverflow: 6, poolTimeout: 7 });
    await e.sequelize.authenticate();
    const pool = rawPool(e.sequelize) as unknown as { maxSize: number; minSize: number; acquireTimeoutMillis: number };
    expect(pool.maxSize).toBe(10);
    expect(pool.minSize).toBe(4);
    expect(pool.acquireTimeoutMillis).toBe(7000);
    expect(e.poolStats()).toMatchObject({ max: 10, min: 4 });
  });

  it('defaults to the document: 20 + 30 connections, 30 s timeout', () => {
    const e = engine();
    const pool = rawPool(e.sequelize) as unknown as { maxSize: number; acquireTimeoutMillis: number };
    expect(pool.maxSize).toBe(50);
    expect(pool.acquireTimeoutMillis).toBe(30_000);
  });

  it('fails a third acquire on a pool of 2 with the acquire timeout', async () => {
    const e = engine({ poolSize: 1, maxOverflow: 1, poolTimeout: 0.5 });
    const timeouts: number[] = [];
    e.events.on('acquireTimeout', (ev) => timeouts.push(ev.waitMs));
    const held: Transaction[] = [await e.sequelize.transaction(), await e.sequelize.transaction()];
    expect(e.poolStats()).toMatchObject({ size: 2, inUse: 2 });
    await expect(e.sequelize.query('SELECT 1')).rejects.toBeInstanceOf(ConnectionAcquireTimeoutError);
    expect(timeouts).toHaveLength(1);
    await Promise.all(held.map((t) => t.rollback()));
    await expect(e.sequelize.query('SELECT 1')).resolves.toBeDefined();
  });

  it('closes overflow connections once idle and keeps poolSize open', async () => {
    const e = engine({ poolSize: 1, maxOverflow: 2, overflowIdleTimeout: 0.2 });
    const held = await Promise.all([e.sequelize.transaction(), e.sequelize.transaction(), e.sequelize.transaction()]);
    expect(e.poolStats().size).toBe(3);
    await Promise.all(held.map((t) => t.commit()));
    await vi.waitFor(() => expect(e.poolStats().size).toBe(1), { timeout: 10_000, interval: 100 });
    expect(e.poolStats().available).toBe(1);
  });
});

describe('recycle', () => {
  it('never hands out a connection older than poolRecycle', async () => {
    const e = engine({ poolSize: 1, maxOverflow: 0, poolRecycle: 1 });
    const disconnects: (string | undefined)[] = [];
    e.events.on('disconnect', (ev) => disconnects.push(ev.reason));
    const first = await backendPid(e);
    expect(await backendPid(e)).toBe(first);
    await sleep(1100);
    const second = await backendPid(e);
    expect(second).not.toBe(first);
    expect(disconnects).toContain('recycled');
  });

  it('keeps reusing connections when recycle is disabled (-1)', async () => {
    const e = engine({ poolSize: 1, maxOverflow: 0, poolRecycle: -1 });
    const first = await backendPid(e);
    await sleep(200);
    expect(await backendPid(e)).toBe(first);
  });

  it("still applies Sequelize's own validation", async () => {
    const e = engine({ poolSize: 1, maxOverflow: 0 });
    const first = await backendPid(e);
    // Mark the idle connection broken the way the pg dialect does on a fatal error.
    const pool = rawPool(e.sequelize) as unknown as { _availableObjects: { resource: { _invalid?: boolean } }[] };
    pool._availableObjects[0]!.resource._invalid = true;
    expect(await backendPid(e)).not.toBe(first);
  });
});

describe('echo', () => {
  it('DATABASE_ECHO logs each statement with its duration, and no password', async () => {
    const logger = captureLogger();
    const e = createEngine({ env: { ...testEnv, DATABASE_URL: db.url, DATABASE_ECHO: 'true' }, logger });
    engines.push(e);
    await e.sequelize.query("SELECT 'echo-probe' AS x");
    const line = logger.lines.find((l) => l.includes('echo-probe'));
    expect(line).toMatch(/durationMs":\d+/);
    expectNoPassword(logger.lines.join('\n'), db.url);
  });

  it('DATABASE_ECHO_POOL logs connect, acquire, release and disconnect', async () => {
    const logger = captureLogger();
    const e = createEngine({ env: { ...testEnv, DATABASE_URL: db.url, DATABASE_ECHO_POOL: 'true' }, logger });
    await e.sequelize.query('SELECT 1');
    await e.close();
    const text = logger.lines.join('\n');
    for (const event of ['pool connect', 'pool acquire', 'pool release', 'pool disconnect']) expect(text).toContain(event);
    expectNoPassword(text, db.url);
  });

  it('logs nothing by default', async () => {
    const logger = captureLogger();
    const e = engine({ logger });
    await e.sequelize.query('SELECT 1');
    expect(logger.lines).toEqual([]);
  });

  it('keeps the password out of connection errors', async () => {
    const bad = new URL(db.url);
    bad.password = 'Wr0ng-p@ss:word';
    const e = engine({ url: bad.toString(), poolTimeout: 2 });
    const error = await e.sequelize.authenticate().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error?.message)).not.toContain('Wr0ng');
    expect(JSON.stringify(e.settings)).not.toContain('Wr0ng');
  });
});

describe('two engines in one process', () => {
  it('work side by side on two databases, each with its own models and pool', async () => {
    const a = engine({ poolSize: 1 });
    const b = createEngine({ env: testEnv, url: db2.url, poolSize: 1 });
    engines.push(b);
    expect(a.models.User).not.toBe(b.models.User);
    await a.sequelize.query('CREATE TABLE side (v int)');
    await b.sequelize.query('CREATE TABLE side (v int)');
    await a.sequelize.query('INSERT INTO side VALUES (1)');
    await b.sequelize.query('INSERT INTO side VALUES (2), (3)');
    const count = async (e: Engine) =>
      (await e.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM side', { type: QueryTypes.SELECT }))[0]!.n;
    expect([await count(a), await count(b)]).toEqual(['1', '2']);
    await closeEngine(a);
    await expect(count(b)).resolves.toBe('2');
    await expect(a.close()).resolves.toBeUndefined();
  });
});

describe('connections', () => {
  it('turn TCP keepalive on, so a vanished peer is noticed on an idle connection', async () => {
    const e = engine({ poolSize: 1 });
    const manager = e.sequelize.connectionManager as unknown as { getConnection(): Promise<object>; releaseConnection(c: object): void };
    const connection = (await manager.getConnection()) as { connection: { _keepAlive: boolean; _keepAliveInitialDelayMillis: number } };
    try {
      expect(connection.connection._keepAlive).toBe(true);
      expect(connection.connection._keepAliveInitialDelayMillis).toBe(10_000);
    } finally {
      manager.releaseConnection(connection);
    }
  });
});

describe('session settings', () => {
  const setting = async (e: Engine, name: string) =>
    (await e.sequelize.query<{ v: string }>('SELECT current_setting($1) AS v', { bind: [name], type: QueryTypes.SELECT }))[0]!.v;

  it("keeps the server's planner settings by default and sends no startup options", async () => {
    const e = engine({ poolSize: 1 });
    expect(await setting(e, 'random_page_cost')).toBe('4');
    const { rows } = await adminQuery<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'foodsave-db'",
      [db.name],
    );
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it('applies sessionSettings with set_config on each new connection, and refuses a bad name', async () => {
    expect(await setting(engine({ poolSize: 1, sessionSettings: { random_page_cost: 2 } }), 'random_page_cost')).toBe('2');
    // A value is bound, never spliced: a quote in it is just an invalid value for the server.
    await expect(setting(engine({ poolSize: 1, sessionSettings: { application_name: "x'; DROP TABLE side; --" } }), 'application_name')).resolves.toBe(
      "x'; DROP TABLE side; --",
    );
    expect(() => engine({ sessionSettings: { 'bad name; x': 1 } })).toThrow(/sessionSettings invalid setting/);
  });

  it('sets statement_timeout from DATABASE_STATEMENT_TIMEOUT (default 30 s; 0 keeps the server default)', async () => {
    expect(await setting(engine({ poolSize: 1 }), 'statement_timeout')).toBe('30s');
    expect(await setting(engine({ poolSize: 1, env: { DATABASE_STATEMENT_TIMEOUT: '2.5' } }), 'statement_timeout')).toBe('2500ms');
    expect(await setting(engine({ poolSize: 1, statementTimeout: 0 }), 'statement_timeout')).toBe('0');
  });
});
