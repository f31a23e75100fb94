/**
 * Every error from a public call is a FoodsaveDbError: each failure below is provoked for real, on a
 * real server, and checked for its type, its SQLSTATE and its cause.
 */
import { createServer, type Server, type Socket, connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  ConflictError,
  ConnectionError,
  createEngine,
  createFoodsave,
  DatabaseError,
  FoodsaveDbError,
  PoolTimeoutError,
  runMigrations,
  QueryTimeoutError,
  ValidationError,
  withTransaction,
  type Engine,
} from '../src/index.js';
import { instrument } from '../src/entries/ops.js';
import { startEmbedded } from './support/postgres-server.js';
import { adminQuery, testEnv, tbl } from './support/test-database.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'errors' });
const engines: Engine[] = [];

function engine(options: Parameters<typeof createEngine>[0] = {}): Engine {
  const e = createEngine({ env: testEnv, url: t.url, poolSize: 1, maxOverflow: 0, ...options });
  engines.push(e);
  return e;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
});

async function rejection(promise: Promise<unknown>): Promise<FoodsaveDbError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FoodsaveDbError);
  return error as FoodsaveDbError;
}

async function newUser(e: Engine) {
  const suffix = Math.random().toString(36).slice(2, 10);
  return createFoodsave(e).admin.users.create({ username: `u-${suffix}`, email: `u-${suffix}@x.io` });
}

/** Waits until a backend of the library sits waiting on a lock, and returns its pid. */
async function lockedBackend(applicationName = 'foodsave-db'): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await adminQuery<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [applicationName],
    );
    if (rows[0]) return rows[0].pid;
    await sleep(50);
  }
  throw new Error('no backend is waiting on a lock');
}

/**
 * Creates a user's conversation through `e`, then, while another engine holds that row locked, starts an
 * update of it through `e` (which waits on the lock) and hands its pending failure to `whileBlocked`.
 */
async function blockedUpdate(e: Engine, whileBlocked: (pending: Promise<FoodsaveDbError>) => Promise<void>) {
  const user = await newUser(e);
  const me = createFoodsave(e).forUser(user.id);
  const conversation = await me.conversations.create({ sessionId: `s-${user.id}` });
  const holder = engine();
  await withTransaction(holder, async (transaction) => {
    await holder.sequelize.query(`SELECT 1 FROM ${tbl('conversations')} WHERE id = $1 FOR UPDATE`, { bind: [conversation.id], transaction });
    await whileBlocked(rejection(me.conversations.update(conversation.id, { title: 'blocked' })));
  });
  return { me, conversation };
}

describe('pool and deadlines', () => {
  it('an acquire timeout is a PoolTimeoutError, fires acquireTimeout and counts in the metric', async () => {
    const e = engine({ poolTimeout: 0.3 });
    const db = createFoodsave(e);
    const user = await newUser(e);
    const seen: number[] = [];
    e.events.on('acquireTimeout', (ev) => seen.push(ev.waitMs));
    let timeouts = 0;
    const stop = instrument(e, { onAcquireTimeout: () => void (timeouts += 1) });
    let error: FoodsaveDbError | undefined;
    await withTransaction(e, async () => {
      // The one connection is held by this transaction: the call below cannot get one.
      error = await rejection(db.forUser(user.id).account.get());
    });
    stop();
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(error!.code).toBe('POOL_TIMEOUT');
    expect(seen).toHaveLength(1);
    expect(timeouts).toBe(1);
  });

  it("the server's statement_timeout is a QueryTimeoutError carrying 57014, and the connection stays usable", async () => {
    const { me, conversation } = await blockedUpdate(engine({ statementTimeout: 0.3 }), async (pending) => {
      const error = await pending;
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect((error as QueryTimeoutError).limit).toBe('statement_timeout');
      expect((error as QueryTimeoutError).sqlState).toBe('57014');
      expect((error.cause as { code?: string }).code).toBe('57014');
    });
    await expect(me.conversations.get(conversation.id)).resolves.toMatchObject({ id: conversation.id });
  });

  it('a terminated backend is a ConnectionError carrying 57P01, and the pool replaces the connection', async () => {
    const { me, conversation } = await blockedUpdate(engine({ applicationName: 'fsdb-terminate' }), async (pending) => {
      await adminQuery('SELECT pg_terminate_backend($1)', [await lockedBackend('fsdb-terminate')]);
      const error = await pending;
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).sqlState).toBe('57P01');
    });
    await expect(me.conversations.get(conversation.id)).resolves.toMatchObject({ id: conversation.id });
  });
});

describe('connection loss', () => {
  let proxy: Server;
  const sockets = new Set<Socket>();

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it('a connection cut mid-statement ("Connection terminated unexpectedly") is a ConnectionError', async () => {
    const target = new URL(t.url);
    proxy = createServer((client) => {
      const server = netConnect(Number(target.port), target.hostname);
      sockets.add(client).add(server);
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = new URL(t.url);
    url.port = String((proxy.address() as { port: number }).port);
    await blockedUpdate(engine({ url: url.toString(), applicationName: 'fsdb-cut' }), async (pending) => {
      await lockedBackend('fsdb-cut');
      for (const s of sockets) s.destroy();
      const error = await pending;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(/Connection terminated/);
    });
  });

  it('a refused connection and a wrong password are ConnectionErrors; the password appears in neither', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = new URL(t.url);
    refused.port = String(port);
    const down = engine({ url: refused.toString(), connectTimeout: 2, poolTimeout: 3 });
    const error = await rejection(createFoodsave(down).admin.users.list());
    expect(error).toBeInstanceOf(ConnectionError);

    const wrong = new URL(t.url);
    wrong.password = 'Wr0ng-secret';
    const denied = engine({ url: wrong.toString(), poolTimeout: 3 });
    const authError = await rejection(createFoodsave(denied).admin.users.list());
    expect(authError).toBeInstanceOf(ConnectionError);
    expect((authError as ConnectionError).sqlState).toBe('28P01');
    expect(`${authError.message} ${String((authError.cause as Error)?.message)}`).not.toContain('Wr0ng-secret');
  });
});

describe('server shutdown', () => {
  it('a server shutting down ends the call in flight with a ConnectionError carrying 57P01, and refuses new ones', async () => {
    // The row lock is held by a prepared transaction, which no shutdown ends: the call is surely still
    // waiting when the shutdown reaches its backend.
    const server = await startEmbedded({ max_prepared_transactions: '2' });
    const e = engine({ url: server.url, applicationName: 'fsdb-shutdown', connectTimeout: 2, poolTimeout: 3 });
    const holder = new pg.Client({ connectionString: server.url });
    holder.on('error', () => {});
    try {
      await runMigrations(e);
      const user = await newUser(e);
      const me = createFoodsave(e).forUser(user.id);
      const conversation = await me.conversations.create({ sessionId: `d-${user.id}` });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${tbl('conversations')} WHERE id = $1 FOR UPDATE`, [conversation.id]);
      await holder.query("PREPARE TRANSACTION 'fsdb_hold'");
      const pending = rejection(me.conversations.update(conversation.id, { title: 'x' }));
      await vi.waitFor(async () => {
        const { rows } = await holder.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'fsdb-shutdown' AND wait_event_type = 'Lock'");
        expect(rows).toHaveLength(1);
      });
      await server.halt!(); // a fast shutdown, as an administrator or an orchestrator stopping the server
      const error = await pending;
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).sqlState).toBe('57P01');
      expect(await rejection(me.conversations.get(conversation.id))).toBeInstanceOf(ConnectionError);
    } finally {
      await holder.end().catch(() => undefined);
      await server.stop();
    }
  }, 60_000);
});

describe('database errors', () => {
  it('deleting a product in use is a ConflictError on every major (23503, or 23001 on PostgreSQL 18)', async () => {
    const db = createFoodsave(t.engine);
    const user = await newUser(t.engine);
    const product = await db.catalog.products.create({ name: `in use ${user.id}` });
    await db.forUser(user.id).pantry.create({ productId: product.id, quantity: '1', unit: 'pcs' });
    const error = await rejection(db.catalog.products.delete(product.id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(['23503', '23001']).toContain((error.cause as { code?: string }).code);
  });

  it('a NUL character or an unpaired surrogate is a ValidationError naming the field, and nothing is written', async () => {
    const user = await newUser(t.engine);
    const me = createFoodsave(t.engine).forUser(user.id);
    const conversation = await me.conversations.create({ sessionId: `n-${user.id}` });
    const nul = await rejection(me.conversations.addMessage(conversation.id, { role: 'user', content: 'a\u0000b' }));
    expect(nul).toBeInstanceOf(ValidationError);
    expect((nul as ValidationError).fields).toEqual(['content']);
    const deep = await rejection(
      me.conversations.addMessage(conversation.id, { role: 'user', content: 'ok', metadata: { tags: ['fine', 'bad\uD800'] } }),
    );
    expect((deep as ValidationError).fields).toEqual(['metadata.tags.1']);
    const key = await rejection(me.conversations.addMessage(conversation.id, { role: 'user', content: 'ok', metadata: { 'k\u0000': 1 } }));
    expect((key as ValidationError).fields).toEqual(['metadata.k\u0000']);
    expect(await me.conversations.getContextWindow(conversation.id, 10)).toEqual([]);
  });

  it('an integer out of range is a ValidationError, not a raw 22003', async () => {
    const error = await rejection(createFoodsave(t.engine).catalog.recipes.create({ title: 'Huge', servings: 2 ** 31 }));
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('an error the library has no type for is a DatabaseError carrying the SQLSTATE and the driver error as cause', async () => {
    const e = engine();
    const user = await newUser(e);
    await e.sequelize.query(`ALTER TABLE ${tbl('conversations')} RENAME TO conversations_moved`);
    try {
      const error = await rejection(createFoodsave(e).forUser(user.id).conversations.list());
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error.code).toBe('DATABASE_ERROR');
      expect((error as DatabaseError).sqlState).toBe('42P01');
      expect((error.cause as { code?: string }).code).toBe('42P01');
    } finally {
      await e.sequelize.query(`ALTER TABLE ${tbl('conversations_moved')} RENAME TO conversations`);
    }
  });

  it('a failed commit through withTransaction is a FoodsaveDbError; errors thrown by the work pass unchanged', async () => {
    const mine = new Error('my own');
    await expect(withTransaction(t.engine, async () => Promise.reject(mine))).rejects.toBe(mine);
    const e = engine({ applicationName: 'fsdb-commit' });
    const error = await rejection(
      withTransaction(e, async (transaction) => {
        const [[{ pid }]] = (await e.sequelize.query('SELECT pg_backend_pid() AS pid', { transaction })) as unknown as [[{ pid: number }]];
        await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
        await sleep(100);
      }),
    );
    expect(error).toBeInstanceOf(ConnectionError);
  });
});

describe('configuration', () => {
  it('a malformed %-escape in DATABASE_URL is a ConfigError that does not quote the URL', () => {
    let error: unknown;
    try {
      createEngine({ env: { ...testEnv, DATABASE_URL: 'postgres://app:s3cr%zzet@db/foodsave' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/malformed %-escape in its password/);
    expect((error as Error).message).not.toContain('s3cr');
  });
});
