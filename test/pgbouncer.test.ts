/**
 * Behind Debian's real PgBouncer with its default settings (it refuses the startup parameter `options`):
 * the example, the repositories, the ledger, the health check and concurrent migrations, in transaction
 * and session pooling.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createEngine, createFoodsave, runMigrations, withTransaction, type Engine } from '../src/index.js';
import { checkDatabaseHealth } from '../src/entries/ops.js';
import { migrations } from '../src/entries/migrations.js';
import { componentMissing } from './support/components.js';
import { runMigrationsInProcess } from './support/migration-runner-process.js';
import { runCli } from './support/run-cli.js';
import { pgbouncerMissingReason, startPgBouncer, type PgBouncer } from './support/pgbouncer.js';
import { adminQuery, createTestDatabase, type TestDatabase, testEnv, tbl } from './support/test-database.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const skip = componentMissing('PgBouncer', pgbouncerMissingReason());

const bouncers: Partial<Record<'transaction' | 'session', PgBouncer>> = {};
const databases: TestDatabase[] = [];
const engines: Engine[] = [];

async function pooledDatabase(mode: 'transaction' | 'session', label: string): Promise<{ db: TestDatabase; url: string }> {
  const db = await createTestDatabase(label);
  databases.push(db);
  return { db, url: bouncers[mode]!.url(db.name) };
}

function engine(url: string): Engine {
  // Default options: nothing turned off to please the pooler.
  const e = createEngine({ env: testEnv, url, poolSize: 2, maxOverflow: 4 });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  if (skip) return;
  bouncers.transaction = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'transaction', defaultPoolSize: 4 });
  bouncers.session = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'session' });
  console.log(`[foodsave-db tests] PgBouncer ${bouncers.transaction.version}`);
}, 60_000);

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
  for (const b of Object.values(bouncers)) await b?.stop();
  for (const db of databases) await db.drop();
});

describe.skipIf(skip)('behind PgBouncer in transaction mode', () => {
  it('runs the example with default options', async () => {
    const { url } = await pooledDatabase('transaction', 'bouncer_example');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
    });
    expect(stdout).toContain(`migrations applied: ${migrations.map((m) => m.name).join(', ')}`);
    expect(stdout).toContain('closed cleanly');
  }, 60_000);

  it('serves the repositories, the user scope, the ledger, the reports and the health check', async () => {
    const { url } = await pooledDatabase('transaction', 'bouncer_api');
    const e = engine(url);
    await runMigrations(e);
    const db = createFoodsave(e);
    const user = await db.admin.users.create({ username: 'pooled', email: 'pooled@x.io', preferences: { householdSize: 2 } });
    const me = db.forUser(user.id);
    const conversation = await me.conversations.create({ sessionId: 'pooled-session' });
    await me.conversations.addMessage(conversation.id, { role: 'user', content: 'What can I cook?' });
    expect(await me.conversations.getContextWindow(conversation.id, 5)).toHaveLength(1);

    const eggs = await db.catalog.products.create({ name: 'Pooled eggs' });
    const spinach = await db.catalog.products.create({ name: 'Pooled spinach' });
    const receipt = await me.receipts.createWithItems(
      { storeName: 'Pool market', totalAmount: '5.00', purchaseDate: '2026-11-20' },
      [
        { productName: 'Eggs', productId: eggs.id, quantity: '6', unit: 'pcs', unitPrice: '0.30', totalPrice: '1.80' },
        { productName: 'Spinach', productId: spinach.id, quantity: '500', unit: 'g', unitPrice: '0.01', totalPrice: '3.20' },
      ],
    );
    const lots = await me.ledger.stockFromReceipt(receipt.id);
    expect(lots.length).toBe(2);
    const omelette = await db.catalog.recipes.createWithIngredients({ title: 'Pooled omelette', servings: 1 }, [
      { productId: eggs.id, quantity: '2', unit: 'pcs' },
      { productId: spinach.id, quantity: '100', unit: 'g' },
    ]);
    const cooked = await me.ledger.cookRecipe(omelette.id);
    expect(cooked.length).toBeGreaterThan(0);
    expect((await me.recipes.getCookableRecipes({ limit: 5 })).length).toBeGreaterThan(0);
    await me.ledger.consumeProduct(eggs.id, { quantity: '1', unit: 'pcs' });
    expect(await me.receipts.getSpendingStats({ from: '2026-11-01', to: '2026-11-30' })).toMatchObject({ receiptCount: 1 });
    expect((await me.account.exportData())!.receipts).toHaveLength(1);

    // A unit of work that fails leaves nothing behind, through the pooler too.
    await expect(
      withTransaction(e, async (transaction) => {
        await me.conversations.create({ sessionId: 'rolled-back' }, { transaction });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await me.conversations.getBySessionId('rolled-back')).toBeNull();

    const health = await checkDatabaseHealth(e);
    expect(health).toMatchObject({ status: 'healthy', pendingMigrations: 0, conversationCount: 1 });
  }, 60_000);

  it('five concurrent runMigrations processes all succeed, apply each migration once and leave no lock', async () => {
    const { db, url } = await pooledDatabase('transaction', 'bouncer_migrate');
    const results = await Promise.all(Array.from({ length: 5 }, () => runMigrationsInProcess(url).done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const applied = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
    expect(applied.sort()).toEqual(migrations.map((m) => m.name).sort());
    const direct = db.url;
    const e = engine(direct);
    const [rows] = (await e.sequelize.query(`SELECT name, count(*)::int AS n FROM ${tbl('foodsave_db_migrations')} GROUP BY name ORDER BY name`)) as [
      { name: string; n: number }[],
      unknown,
    ];
    expect(rows).toEqual(migrations.map((m) => ({ name: m.name, n: 1 })));
    // This database's: another file's migrations, in a worker running beside this one, take the same
    // advisory lock in their own database.
    const { rows: locks } = await adminQuery(
      "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)",
      [db.name],
    );
    expect(locks).toEqual([]);
  }, 120_000);

  it('the foodsave-db command migrates and reports health through it', async () => {
    const { url } = await pooledDatabase('transaction', 'bouncer_cli');
    const up = await runCli(['migrate', 'up'], { DATABASE_URL: url });
    expect(up.code, up.stderr).toBe(0);
    const health = await runCli(['health', '--json'], { DATABASE_URL: url });
    expect(health.code, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'healthy', pendingMigrations: 0 });
  }, 60_000);

  it('applies sessionSettings without startup options, so PgBouncer accepts the connection', async () => {
    const { url } = await pooledDatabase('transaction', 'bouncer_settings');
    const e = createEngine({ env: testEnv, url, poolSize: 1, maxOverflow: 0, sessionSettings: { work_mem: '8MB' } });
    engines.push(e);
    await expect(e.sequelize.authenticate()).resolves.toBeUndefined();
  });
});

describe.skipIf(skip)('behind PgBouncer in session mode', () => {
  it('migrates, serves a user and reports healthy with default options', async () => {
    const { url } = await pooledDatabase('session', 'bouncer_session');
    const e = engine(url);
    await expect(runMigrations(e)).resolves.toHaveLength(migrations.length);
    const user = await createFoodsave(e).admin.users.create({ username: 'session', email: 'session@x.io' });
    expect(await createFoodsave(e).forUser(user.id).account.get()).toMatchObject({ id: user.id });
    const [[setting]] = (await e.sequelize.query("SELECT current_setting('statement_timeout') AS v")) as unknown as [[{ v: string }]];
    expect(setting.v).toBe('30s');
    expect((await checkDatabaseHealth(e)).status).toBe('healthy');
  });
});
