/**
 * The hot path takes an idle connection from sequelize-pool without its acquire() (src/engine/pool-access.ts).
 * These hold it to the pool's own rules: its counts stay true, a connection that fails validation is
 * left to the pool (which destroys it), and with nothing idle the pool's acquire() decides.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, createFoodsave, type Engine } from '../src/index.js';
import { poolOf, takeIdle, giveBack, type PgConnection } from '../src/engine/pool-access.js';
import { makeUser } from './support/fixtures.js';
import { testEnv, useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'pool_fast_path' });
const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

function engine(poolSize: number): Engine {
  const e = createEngine({ env: testEnv, url: t.appUrl, poolSize, maxOverflow: 0, poolTimeout: 5 });
  engines.push(e);
  return e;
}

interface Counts {
  size: number;
  available: number;
  using: number;
  waiting: number;
}
const counts = (e: Engine): Counts => {
  const pool = poolOf(e.sequelize) as unknown as Counts;
  return { size: pool.size, available: pool.available, using: pool.using, waiting: pool.waiting };
};

/** An engine of one connection, already made and idle, and a user's scope on it. */
async function warmPoolOfOne() {
  const e = engine(1);
  const user = await makeUser(createFoodsave(t.engine));
  const me = createFoodsave(e).forUser(user.id);
  await me.account.get();
  return { e, user, me, pool: poolOf(e.sequelize) };
}

describe("the hot path's idle take", () => {
  it('takes the newest idle connection and keeps the pool counting it in use, then idle again', async () => {
    const e = engine(2);
    const user = await makeUser(createFoodsave(t.engine));
    const me = createFoodsave(e).forUser(user.id);
    const pool = poolOf(e.sequelize);
    // Both connections made through the pool itself, so neither is still connecting below.
    const [first, second] = [await pool.acquire(), await pool.acquire()];
    giveBack(pool, first);
    giveBack(pool, second);
    expect(counts(e)).toEqual({ size: 2, available: 2, using: 0, waiting: 0 });
    const taken = takeIdle(pool)!;
    expect(taken).toBeDefined();
    expect(counts(e)).toEqual({ size: 2, available: 1, using: 1, waiting: 0 });
    giveBack(pool, taken);
    expect(counts(e)).toEqual({ size: 2, available: 2, using: 0, waiting: 0 });
    for (let i = 0; i < 20; i++) expect((await me.account.get())?.id).toBe(user.id);
    expect(counts(e)).toEqual({ size: 2, available: 2, using: 0, waiting: 0 });
  });

  it('destroys an idle connection that fails validation, as the pool would, and the call gets a new one', async () => {
    const { user, me, pool } = await warmPoolOfOne();
    const broken = takeIdle(pool)!;
    giveBack(pool, broken);
    // Ended under the pool, as a dropped server connection is: Sequelize's validation refuses it.
    await (broken as unknown as { end(): Promise<void> }).end();
    expect(takeIdle(pool)).toBeUndefined();
    expect((await me.account.get())?.id).toBe(user.id);
    const fresh = takeIdle(pool) as PgConnection;
    expect(fresh).not.toBe(broken);
    giveBack(pool, fresh);
  });

  it('with nothing idle, leaves the call to the pool, which queues it until a connection comes back', async () => {
    const { e, user, me, pool } = await warmPoolOfOne();
    const held = takeIdle(pool)!;
    expect(takeIdle(pool)).toBeUndefined();
    const call = me.account.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counts(e).waiting).toBe(1);
    giveBack(pool, held);
    expect((await call)?.id).toBe(user.id);
    expect(counts(e)).toEqual({ size: 1, available: 1, using: 0, waiting: 0 });
  });
});
