/**
 * A silent network: a proxy that stops moving bytes while every socket stays open, as a dropped route
 * does. Calls fail at their deadline with a typed error, the pool heals when the network does, the
 * health probe pins nothing, and close() is bounded.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionError, createEngine, createFoodsave, FoodsaveDbError, QueryTimeoutError, type Engine } from '../src/index.js';
import { checkDatabaseHealth } from '../src/entries/ops.js';
import { startBlackholeProxy, type BlackholeProxy } from './support/blackhole-proxy.js';
import { useTestDatabase, testEnv } from './support/test-database.js';

const t = useTestDatabase({ label: 'network' });
let proxy: BlackholeProxy;
const engines: Engine[] = [];

function engine(options: Parameters<typeof createEngine>[0]): Engine {
  // Generous connect and pool timeouts: a loaded CI machine must not fail the warm-up.
  const e = createEngine({ env: testEnv, url: proxy.url(t.url), poolSize: 2, maxOverflow: 0, connectTimeout: 5, poolTimeout: 10, ...options });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  const target = new URL(t.url);
  proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
});

afterAll(async () => {
  proxy?.heal();
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 1000 })));
  await proxy?.stop();
});

describe('a black-holed network', () => {
  it('fails a call on a warm pool with QueryTimeoutError at the deadline, and serves again once the network heals', async () => {
    const e = engine({ queryTimeout: 1 });
    const users = createFoodsave(e).admin.users;
    await Promise.all([users.list(), users.list()]);
    expect(e.poolStats().size).toBe(2);

    proxy.blackhole();
    const errors = await Promise.all([users.list(), users.list()].map((p) => p.catch((err: unknown) => err)));
    for (const error of errors) {
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect((error as QueryTimeoutError).limit).toBe('deadline');
    }
    expect(e.poolStats().inUse).toBe(0);

    // The stuck connections were destroyed, not returned to the pool: serving again takes new ones.
    let connects = 0;
    e.events.on('connect', () => void (connects += 1));
    proxy.heal();
    await vi.waitFor(() => expect(users.list()).resolves.toBeInstanceOf(Array), { timeout: 5000, interval: 200 });
    expect(connects).toBeGreaterThan(0);
  }, 20_000);

  it('the health report says unhealthy at its deadline, and its probe does not keep the connection', async () => {
    const e = engine({ queryTimeout: 0 });
    await createFoodsave(e).admin.users.list();
    proxy.blackhole();
    try {
      const report = await checkDatabaseHealth(e, { timeoutMs: 500 });
      expect(report.status).toBe('unhealthy');
      await vi.waitFor(() => expect(e.poolStats().inUse).toBe(0), { timeout: 3000, interval: 50 });
    } finally {
      proxy.heal();
    }
    await vi.waitFor(async () => expect((await checkDatabaseHealth(e, { timeoutMs: 1000 })).status).toBe('healthy'), { timeout: 5000, interval: 200 });
  }, 20_000);

  it('close() returns after its timeout even with calls stuck and no deadline, and those calls fail typed', async () => {
    const e = engine({ queryTimeout: 0 });
    const users = createFoodsave(e).admin.users;
    await users.list();
    proxy.blackhole();
    try {
      const stuck = users.list().catch((err: unknown) => err);
      // Without the bound, close() would wait for this call, which without a deadline waits forever.
      await e.close({ timeoutMs: 500 });
      const error = await stuck;
      expect(error).toBeInstanceOf(FoodsaveDbError);
      expect(error).toBeInstanceOf(ConnectionError);
    } finally {
      proxy.heal();
    }
  }, 20_000);

  it('a new connection that gets no answer fails at DATABASE_CONNECT_TIMEOUT with a ConnectionError', async () => {
    proxy.blackhole();
    try {
      const e = engine({ queryTimeout: 1, connectTimeout: 1, poolTimeout: 3 });
      const error = await createFoodsave(e).admin.users.list().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConnectionError);
    } finally {
      proxy.heal();
    }
  }, 20_000);
});
