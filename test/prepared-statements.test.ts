/**
 * Named prepared statements (DATABASE_PREPARED_STATEMENTS): on a direct connection a repeated statement
 * is parsed once per connection; behind Debian's PgBouncer 1.18 in transaction mode, `auto` finds out
 * that the pooler does not keep them, runs the call again unnamed and stays unnamed; behind PgBouncer
 * 1.22+ with `max_prepared_statements`, which keeps them, `auto` stays on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConflictError, createEngine, createFoodsave, runMigrations, type Engine, type EngineOptions, type Logger } from '../src/index.js';
import { SET_SCOPE } from '../src/engine/scoped-query.js';
import { giveBack, poolOf } from '../src/engine/pool-access.js';
import { componentMissing } from './support/components.js';
import { pgbouncerMissingReason, startPgBouncer, type PgBouncer, type PgBouncerRelease } from './support/pgbouncer.js';
import { createTestDatabase, type TestDatabase, tbl, testEnv, useTestDatabase, withRawClient } from './support/test-database.js';
import { withClient } from './support/with-client.js';

const t = useTestDatabase({ label: 'prepared', engine: { poolSize: 1, maxOverflow: 0 } });
const engines: Engine[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
});

function engineWith(options: EngineOptions): Engine {
  const engine = createEngine({ env: testEnv, poolSize: 1, maxOverflow: 0, ...options });
  engines.push(engine);
  return engine;
}

/** The server's prepared statements on the engine's one pooled connection. */
async function preparedOn(engine: Engine): Promise<{ name: string; statement: string }[]> {
  const [rows] = await engine.sequelize.query("SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'fsdb\\_%' ORDER BY statement");
  return rows as { name: string; statement: string }[];
}

async function signUp(engine: Engine) {
  const suffix = randomUUID().slice(0, 8);
  return createFoodsave(engine).admin.users.create({ username: `p-${suffix}`, email: `p-${suffix}@example.com` });
}

describe('on a direct connection', () => {
  it('names a statement the second time it is sent, and the connection parses it once for every later call', async () => {
    const user = await signUp(t.engine);
    const me = createFoodsave(t.engine).forUser(user.id);
    await me.conversations.create({ sessionId: `s-${randomUUID()}` });
    for (let i = 0; i < 5; i++) expect(await me.conversations.list()).toHaveLength(1);
    const prepared = await preparedOn(t.engine);
    const list = prepared.filter((p) => /FROM .*"conversations"/.test(p.statement) && p.statement.startsWith('SELECT'));
    expect(list).toHaveLength(1);
    expect(prepared.filter((p) => p.statement === SET_SCOPE)).toHaveLength(1);
    expect(list[0]!.name).toMatch(/^fsdb_[\w-]{32}$/);
    expect(t.engine.routing.statements.current).toBe('auto');
  });

  it('gives the same answers with DATABASE_PREPARED_STATEMENTS=off, which names nothing', async () => {
    const off = engineWith({ url: t.appUrl, env: { ...testEnv, DATABASE_PREPARED_STATEMENTS: 'off' } });
    const user = await signUp(t.engine);
    const named = createFoodsave(t.engine).forUser(user.id);
    const unnamed = createFoodsave(off).forUser(user.id);
    await named.conversations.create({ sessionId: `s-${randomUUID()}` });
    for (let i = 0; i < 3; i++) expect(await unnamed.conversations.list()).toEqual(await named.conversations.list());
    expect(await preparedOn(off)).toEqual([]);
  });

  it('keeps working after a named statement fails (a unique violation), closing and parsing it again', async () => {
    const taken = await signUp(t.engine);
    const users = createFoodsave(t.engine).admin.users;
    for (let i = 0; i < 3; i++) {
      await expect(users.create({ username: taken.username, email: `x-${randomUUID().slice(0, 8)}@example.com` })).rejects.toBeInstanceOf(ConflictError);
    }
    const created = await signUp(t.engine);
    expect(await users.get(created.id)).toMatchObject({ id: created.id });
    const inserts = (await preparedOn(t.engine)).filter((p) => p.statement.startsWith('INSERT INTO') && p.statement.includes('"users"'));
    expect(inserts).toHaveLength(1);
  });

  it('describes a named statement once per connection: later runs send no Describe, and their rows parse the same', async () => {
    const engine = engineWith({ url: t.appUrl });
    const off = engineWith({ url: t.appUrl, env: { ...testEnv, DATABASE_PREPARED_STATEMENTS: 'off' } });
    const user = await signUp(t.engine);
    const me = createFoodsave(engine).forUser(user.id);
    const chat = await me.conversations.create({ sessionId: `s-${randomUUID()}`, title: 'Soup', metadata: { tags: ['x'] } });
    await me.conversations.addMessage(chat.id, { content: 'hello', role: 'user', confidence: 0.875 });
    const pool = poolOf(engine.sequelize);
    const connection = await pool.acquire();
    const wire = (connection as unknown as { connection: { describe(m: unknown): void } }).connection;
    const describe = wire.describe.bind(wire);
    let described = 0;
    wire.describe = (m) => {
      described++;
      describe(m);
    };
    giveBack(pool, connection);
    const expected = await createFoodsave(off).forUser(user.id).conversations.getContextWindow(chat.id, 20);
    expect(expected[0]!.createdAt).toBeInstanceOf(Date);
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await me.conversations.getContextWindow(chat.id, 20));
    // First run unnamed, second named and described, the rest from the kept description.
    expect(described).toBe(2);
    for (const rows of runs) expect(rows).toEqual(expected);
  });

  it('runs a named statement again, parsed anew, when a migration changed the type of a column it returns', async () => {
    const engine = engineWith({ url: t.appUrl });
    const user = await signUp(t.engine);
    const me = createFoodsave(engine).forUser(user.id);
    await me.conversations.create({ sessionId: `s-${randomUUID()}`, title: 'Soup' });
    for (let i = 0; i < 3; i++) expect(await me.conversations.list()).toHaveLength(1);
    // As a host's rolling deploy does: another process migrates while this one holds the statement.
    await withRawClient(t.migrationUrl, (c) => c.query(`ALTER TABLE ${tbl('conversations')} ALTER COLUMN title TYPE varchar(300)`));
    for (let i = 0; i < 3; i++) expect((await me.conversations.list())[0]).toMatchObject({ title: 'Soup' });
    expect(engine.routing.statements.current).toBe('auto');
  });

  it('refuses an unknown DATABASE_PREPARED_STATEMENTS, naming it', () => {
    expect(() => createEngine({ env: { DATABASE_PREPARED_STATEMENTS: 'sometimes' }, url: t.appUrl })).toThrow(/DATABASE_PREPARED_STATEMENTS.*must be auto, on or off/);
  });
});

/** A logger that keeps the warnings it is given. */
function warningsKept(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (message) => void warnings.push(message), error() {} } };
}

/**
 * A PgBouncer in transaction mode and a migrated database behind it, for the describe block this is
 * called in; `url()` reaches that database through the pooler.
 */
function behindPgBouncer(label: string, options: { defaultPoolSize: number; release: PgBouncerRelease }): { url(): string } {
  let bouncer: PgBouncer | undefined;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'transaction', ...options });
    console.log(`[foodsave-db tests] PgBouncer ${bouncer.version}`);
    db = await createTestDatabase(label, { roles: false });
    await runMigrations(engineWith({ url: db.url, poolSize: 1 }));
  }, 60_000);
  afterAll(async () => {
    // The engines first: closing them after the pooler would wait on connections it no longer serves.
    await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
    await bouncer?.stop();
    await db?.drop();
  });
  return { url: () => bouncer!.url(db!.name) };
}

const skip = componentMissing('PgBouncer', pgbouncerMissingReason());

describe.skipIf(skip)('behind PgBouncer 1.18 in transaction mode', () => {
  // One server connection for every client: a statement one client named is there when another,
  // which never parsed it, names it too (42P05), every time.
  const bouncer = behindPgBouncer('prepared_bouncer', { defaultPoolSize: 1, release: 'debian' });

  it('auto: the call that finds the pooler losing named statements runs again unnamed, and the engine stays unnamed, with one warning', async () => {
    const { logger, warnings } = warningsKept();
    const first = engineWith({ url: bouncer.url(), logger });
    const second = engineWith({ url: bouncer.url(), logger });
    const user = await signUp(first);
    for (const engine of [first, second]) {
      const me = createFoodsave(engine).forUser(user.id);
      for (let i = 0; i < 4; i++) expect(await me.conversations.list()).toEqual([]);
    }
    expect([first.routing.statements.current, second.routing.statements.current]).toContain('off');
    expect(warnings.filter((w) => w.startsWith('prepared statements are off'))).toHaveLength(1);
    // And every call after it is fine, concurrency and transactions included.
    const me = createFoodsave(second).forUser(user.id);
    await Promise.all(Array.from({ length: 8 }, (_, i) => me.conversations.create({ sessionId: `b-${i}-${randomUUID()}` })));
    expect(await me.conversations.list()).toHaveLength(8);
  });

  it('on: the pooler error reaches the caller, with its SQLSTATE', async () => {
    const first = engineWith({ url: bouncer.url(), preparedStatements: 'on' });
    const second = engineWith({ url: bouncer.url(), preparedStatements: 'on' });
    const user = await signUp(first);
    const errors: unknown[] = [];
    for (const engine of [first, second]) {
      const me = createFoodsave(engine).forUser(user.id);
      for (let i = 0; i < 4; i++) await me.conversations.list().catch((error: unknown) => errors.push(error));
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ sqlState: expect.stringMatching(/^(26000|42P05)$/) });
  });
});

const noTracking = componentMissing('PgBouncer 1.22+', pgbouncerMissingReason('tracking'));

describe.skipIf(noTracking)('behind PgBouncer 1.22+ in transaction mode, with max_prepared_statements', () => {
  // Two server connections for more clients than that: a client's next transaction may land on the
  // server connection that has not seen its statement, which the pooler must then prepare there.
  const bouncer = behindPgBouncer('prepared_tracking', { defaultPoolSize: 2, release: 'tracking' });

  /** Three engines of two connections each, writing and reading one user's conversations at once. */
  async function workThrough(options: EngineOptions): Promise<Engine[]> {
    const many = [0, 1, 2].map(() => engineWith({ url: bouncer.url(), poolSize: 2, ...options }));
    const user = await signUp(many[0]!);
    await Promise.all(
      many.flatMap((engine, i) =>
        [0, 1].map(async (caller) => {
          const me = createFoodsave(engine).forUser(user.id);
          for (let k = 0; k < 4; k++) {
            const chat = await me.conversations.create({ sessionId: `t-${i}-${caller}-${k}-${randomUUID()}` });
            await me.conversations.addMessage(chat.id, { role: 'user', content: `message ${k}` });
            expect(await me.conversations.getContextWindow(chat.id, 5)).toHaveLength(1);
          }
        }),
      ),
    );
    expect(await createFoodsave(many[2]!).forUser(user.id).conversations.list({ limit: 100 })).toHaveLength(24);
    return many;
  }

  it('auto stays on: no call fails, no warning, and the server runs the statements the pooler prepared for them', async () => {
    const { logger, warnings } = warningsKept();
    const many = await workThrough({ logger });
    expect(many.map((e) => e.routing.statements.current)).toEqual(['auto', 'auto', 'auto']);
    expect(warnings).toEqual([]);
    expect(await pooledStatements(/^INSERT INTO \S*"messages"/)).not.toEqual([]);
  });

  it('on: no call fails either, and the server holds the pooler\'s statements for them', async () => {
    await workThrough({ preparedStatements: 'on' });
    expect(await pooledStatements(/^SELECT .* FROM \S*"messages"/)).not.toEqual([]);
  });

  it('on: a named statement that failed (a unique violation) is closed through the pooler and parsed again', async () => {
    const engine = engineWith({ url: bouncer.url(), preparedStatements: 'on' });
    const taken = await signUp(engine);
    const users = createFoodsave(engine).admin.users;
    for (let i = 0; i < 3; i++) {
      await expect(users.create({ username: taken.username, email: `x-${randomUUID().slice(0, 8)}@example.com` })).rejects.toBeInstanceOf(ConflictError);
    }
    const created = await signUp(engine);
    expect(await users.get(created.id)).toMatchObject({ id: created.id });
  });

  /**
   * The statements matching `pattern` that the server connection this lands on holds, each under the
   * name PgBouncer gave it there (`PGBOUNCER_n`): the pooler prepared what the engine named.
   */
  async function pooledStatements(pattern: RegExp): Promise<string[]> {
    const { rows } = await withClient(bouncer.url(), (client) =>
      client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements'),
    );
    const matching = rows.filter((r) => pattern.test(r.statement));
    expect(matching.every((r) => /^PGBOUNCER_\d+$/.test(r.name))).toBe(true);
    return matching.map((r) => r.name);
  }
});
