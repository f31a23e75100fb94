import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, createEngine, redactUrl, runMigrations, withRowScope, type Logger } from '../src/index.js';
import {
  checkDatabaseHealth,
  createBackup,
  DatabaseBackup,
  listBackups,
  pruneBackups,
  restoreBackup,
  verifyBackup,
} from '../src/entries/ops.js';
import { findPgBinary } from '../src/ops/pg-binaries.js';
import { inject } from 'vitest';
import { componentMissing, pgToolsMissingReason, serverMajor } from './support/components.js';
import { adminQuery, createTestDatabase, type TestDatabase, testEnv, testSchema, tbl, withRawClient } from './support/test-database.js';

const major = serverMajor(inject('serverVersionNum'));
const noTools = componentMissing(`pg_dump/pg_restore for PostgreSQL ${major}`, await pgToolsMissingReason(major));

const TABLES = [
  'users', 'conversations', 'messages', 'receipts', 'receipt_items', 'products', 'categories',
  'pantry_items', 'pantry_events', 'product_matches', 'recipes', 'recipe_ingredients', 'recipe_categories', 'meal_plans', 'meal_plan_items',
];
const PASSWORD = 'p@ss:w/o%r#d?x';
let dir: string;
const dbs: TestDatabase[] = [];

// Backups are whole-database dumps: a host table next to the library's schema would be the host's to
// dump and restore, and is left out here.
async function freshDb(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label, { hostTable: false, roles: false });
  dbs.push(db);
  return db;
}

/** Every table's row count and an ordered md5 of its rows. */
async function fingerprint(url: string): Promise<Record<string, string>> {
  return withRawClient(url, async (c) => {
    const out: Record<string, string> = {};
    for (const t of TABLES) {
      const { rows } = await c.query<{ n: string; h: string | null }>(`SELECT count(*) AS n, md5(string_agg(x::text, ',' ORDER BY x::text)) AS h FROM ${t} x`);
      out[t] = `${rows[0]!.n}:${rows[0]!.h}`;
    }
    return out;
  });
}

async function seed(url: string): Promise<void> {
  await withRawClient(url, (c) =>
    c.query(`
      INSERT INTO users (id, username, email, preferences) VALUES
        ('10000000-0000-4000-8000-000000000001', 'zażółć', 'Gęślą@jaźń.pl', '{"diet": ["vegan"], "emoji": "🥕"}'),
        ('10000000-0000-4000-8000-000000000002', 'nulls', 'n@x.io', '{}');
      INSERT INTO categories (id, name, parent_id, description) VALUES
        ('20000000-0000-4000-8000-000000000001', 'Nabiał 🧀', NULL, NULL),
        ('20000000-0000-4000-8000-000000000002', 'Sery', '20000000-0000-4000-8000-000000000001', 'ser "żółty"');
      INSERT INTO products (id, name, category_id, storage_info) VALUES
        ('30000000-0000-4000-8000-000000000001', 'Ser gouda', '20000000-0000-4000-8000-000000000002', '{"shelfLifeDays": 21, "fridge": true}');
      INSERT INTO conversations (id, user_id, session_id, title, metadata) VALUES
        ('40000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'sess-ü', NULL, '{"a": [1, 2.5, null]}');
      INSERT INTO messages (conversation_id, content, role, agent_used, confidence, created_at) VALUES
        ('40000000-0000-4000-8000-000000000001', E'multi\\nline ✓ \\u00e9', 'user', NULL, NULL, '2026-01-02 03:04:05.678901+00'),
        ('40000000-0000-4000-8000-000000000001', 'odpowiedź', 'assistant', 'recipe-agent', 0.123456789, '2026-01-02 03:04:06+00');
      INSERT INTO receipts (id, user_id, store_name, total_amount, purchase_date, ocr_confidence, conversation_id) VALUES
        ('50000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'Żabka', 12345678.99, '2026-11-20', 0.5, '40000000-0000-4000-8000-000000000001'),
        ('50000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002', NULL, NULL, NULL, NULL, NULL);
      INSERT INTO receipt_items (receipt_id, product_name, quantity, unit_price, total_price, product_id, unit) VALUES
        ('50000000-0000-4000-8000-000000000001', 'GOUDA 1.254kg', 1.254, 19.99, 25.07, '30000000-0000-4000-8000-000000000001', 'kg'),
        ('50000000-0000-4000-8000-000000000001', 'Rabat', 1, -0.01, -0.01, NULL, NULL);
      INSERT INTO pantry_items (user_id, product_id, quantity, unit, expiry_date, notes) VALUES
        ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 0.001, 'kg', '2026-12-01', 'otwarte'),
        ('10000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', 9999999.999, NULL, NULL, NULL);
      INSERT INTO pantry_events (user_id, product_id, event_type, quantity, unit, value, waste_reason, previous_quantity) VALUES
        ('10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'wasted', 0.25, 'kg', 4.99, 'spoiled', 0.251);
      INSERT INTO recipes (id, title, cooking_time, difficulty_level, servings, tags) VALUES
        ('60000000-0000-4000-8000-000000000001', 'Tosty', 5, 1, 2, ARRAY['szybkie', 'ser']),
        ('60000000-0000-4000-8000-000000000002', 'Bez tagów', NULL, NULL, NULL, NULL);
      INSERT INTO recipe_ingredients (recipe_id, product_id, quantity, unit) VALUES
        ('60000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 0.1, 'kg');
      INSERT INTO recipe_categories VALUES ('60000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002');
      INSERT INTO meal_plans (id, user_id, plan_date, meal_type, recipe_id) VALUES
        ('70000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', '2026-11-27', 'dinner', '60000000-0000-4000-8000-000000000001');
      INSERT INTO meal_plan_items (meal_plan_id, recipe_id, servings) VALUES
        ('70000000-0000-4000-8000-000000000001', '60000000-0000-4000-8000-000000000001', 2);`),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'foodsave-backup-test-'));
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  await rm(dir, { recursive: true, force: true });
  await adminQuery('DROP ROLE IF EXISTS fs_special_pw').catch(() => undefined);
});

describe.skipIf(noTools)('backup and restore', () => {
  it('round trip: every table, unicode, NULLs, JSONB, decimals and timestamps come back identical', async () => {
    const source = await freshDb('bk_src');
    const engine = createEngine({ env: testEnv, url: source.url, poolSize: 1 });
    await runMigrations(engine);
    await engine.close();
    await seed(source.url);
    const before = await fingerprint(source.url);
    const progress: number[] = [];

    const backup = await createBackup({ databaseUrl: source.url, dir, onProgress: (b) => progress.push(b) });
    expect(path.basename(backup.path)).toMatch(/^backup_\d{8}_\d{6}(_\d+)?\.dump$/);
    expect(backup.bytes).toBeGreaterThan(1000);
    expect(progress.at(-1)).toBe(backup.bytes);
    expect(backup.serverVersion).toMatch(/^\d+\.\d+/);
    expect((await readFile(backup.checksumPath, 'utf8')).trim()).toBe(`${backup.sha256}  ${path.basename(backup.path)}`);
    const manifest = JSON.parse(await readFile(backup.manifestPath, 'utf8')) as { rowCounts: Record<string, number> };
    expect(manifest.rowCounts[`${testSchema}.messages`]).toBe(2);

    // Drop the database, create it empty, restore.
    await source.drop();
    await adminQuery(`CREATE DATABASE "${source.name}"`);
    await restoreBackup(backup.path, { databaseUrl: source.url });
    expect(await fingerprint(source.url)).toEqual(before);

    // The restored schema works: the next insert gets no duplicate key, triggers still fire.
    await withRawClient(source.url, async (c) => {
      await c.query("INSERT INTO users (username, email) VALUES ('after', 'after@x.io')");
      await c.query("INSERT INTO messages (conversation_id, content, role) VALUES ('40000000-0000-4000-8000-000000000001', 'x', 'user')");
      const { rows } = await c.query("SELECT updated_at > '2026-11-01' AS moved FROM conversations");
      expect(rows[0].moved).toBe(true);
    });
    // Every table of the schema, plus the migrations table and the version rows of the category tree
    // (0012) and the recipe catalogue (0013).
    expect(await verifyBackup(backup.path, { databaseUrl: source.url })).toEqual({ ok: true, tables: TABLES.length + 3, mismatches: [] });
  });

  it('refuses a truncated dump before touching the database, and a corrupt one without checksum leaves it unchanged', async () => {
    const source = await freshDb('bk_trunc');
    await withRawClient(source.url, (c) => c.query('CREATE TABLE t (v text); INSERT INTO t VALUES (repeat(md5(random()::text), 500))'));
    const backup = await createBackup({ databaseUrl: source.url, dir });
    const truncated = path.join(dir, 'truncated.dump');
    await copyFile(backup.path, truncated);
    await copyFile(backup.checksumPath, `${truncated}.sha256`);
    await truncate(truncated, Math.floor(backup.bytes / 2));

    const target = await freshDb('bk_target');
    await withRawClient(target.url, (c) => c.query("CREATE TABLE keep (v int); INSERT INTO keep VALUES (42)"));
    const error = await restoreBackup(truncated, { databaseUrl: target.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(/corrupt or truncated/);

    await rm(`${truncated}.sha256`);
    await expect(restoreBackup(truncated, { databaseUrl: target.url })).rejects.toThrow(/No checksum beside truncated.dump/);
    const unchecked = await restoreBackup(truncated, { databaseUrl: target.url, requireChecksum: false }).catch((e: unknown) => e);
    expect(unchecked).toBeInstanceOf(BackupError);
    expect((unchecked as Error).message).toMatch(/pg_restore failed .*nothing was restored/);
    const state = await withRawClient(target.url, async (c) => (await c.query("SELECT to_regclass('t') AS t, (SELECT v FROM keep) AS keep")).rows[0]);
    expect(state).toEqual({ t: null, keep: 42 });
  });

  it('a password with @ : / % # ? works for the pool, the backup and the restore, and appears nowhere', async () => {
    await adminQuery('DROP ROLE IF EXISTS fs_special_pw');
    await adminQuery(`CREATE ROLE fs_special_pw LOGIN CREATEDB PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
    const db = await freshDb('bk_pw');
    await adminQuery(`ALTER DATABASE "${db.name}" OWNER TO fs_special_pw`);
    const url = new URL(db.url);
    url.username = 'fs_special_pw';
    url.password = encodeURIComponent(PASSWORD);
    const special = `${url.toString()}?application_name=fs-special&sslmode=disable`;

    const lines: string[] = [];
    const log = (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f ?? {})}`);
    const logger: Logger = { debug: log, info: log, warn: log, error: log };
    const engine = createEngine({ env: testEnv, url: special, poolSize: 1, echo: true, echoPool: true, logger });
    await runMigrations(engine);
    // The owner is held to row-level security too: its own SQL names the back-office scope.
    await withRowScope(engine, 'all', (transaction) => engine.sequelize.query(`INSERT INTO ${tbl('users')} (username, email) VALUES ('pw', 'pw@x.io')`, { transaction }));
    const [[who]] = (await engine.sequelize.query('SELECT current_user AS u, current_setting(\'application_name\') AS a')) as unknown as [[{ u: string; a: string }]];
    expect(who).toEqual({ u: 'fs_special_pw', a: 'fs-special' });
    const health = await checkDatabaseHealth(engine);
    expect(health.status).toBe('healthy');

    const backup = await createBackup({ databaseUrl: special, dir });
    const target = await freshDb('bk_pw_target');
    await adminQuery(`ALTER DATABASE "${target.name}" OWNER TO fs_special_pw`);
    const targetUrl = special.replace(db.name, target.name);
    const restored = await restoreBackup(backup.path, { databaseUrl: targetUrl });
    const count = await withRawClient(targetUrl, async (c) => (await c.query("SELECT set_config('foodsave.user_id', '*', false), (SELECT count(*)::int FROM users) AS n")).rows[0].n);
    expect(count).toBe(1);

    const wrong = await createBackup({ databaseUrl: special.replace(encodeURIComponent(PASSWORD), encodeURIComponent(`${PASSWORD}-wrong`)), dir }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(BackupError);
    await engine.close();

    const everything = [...lines, JSON.stringify(health), (wrong as Error).message, ...backup.command, ...restored.command].join('\n');
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) expect(everything).not.toContain(form);
    expect(backup.command.some((arg) => arg.includes('application_name=fs-special'))).toBe(true);
  });

  it('a ?password= parameter is a secret too: no child argv or environment holds it, nor any redacted URL', async () => {
    await adminQuery('DROP ROLE IF EXISTS fs_param_pw');
    await adminQuery(`CREATE ROLE fs_param_pw LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
    const db = await freshDb('bk_param_pw');
    await adminQuery(`ALTER DATABASE "${db.name}" OWNER TO fs_param_pw`);
    const url = new URL(db.url);
    url.username = 'fs_param_pw';
    url.password = '';
    url.searchParams.set('password', PASSWORD);
    url.searchParams.set('sslmode', 'prefer');
    const paramUrl = url.toString();

    // Sample the children: a pg_dump/pg_restore in PG_BIN_DIR that records its argv and environment.
    const spy = await mkdtemp(path.join(tmpdir(), 'fsdb-spy-'));
    for (const tool of ['pg_dump', 'pg_restore'] as const) {
      const real = await findPgBinary(tool, major);
      await writeFile(
        path.join(spy, tool),
        `#!/bin/sh\nprintf '%s\\n' "$@" >> "${spy}/${tool}.argv"\nenv >> "${spy}/${tool}.env"\nexec "${real}" "$@"\n`,
        { mode: 0o755 },
      );
    }
    const hostSecrets = { DATABASE_URL: paramUrl, FOODSAVE_HOST_SECRET: 'host-secret-value' };
    Object.assign(process.env, hostSecrets);
    try {
      const env = { PG_BIN_DIR: spy, PATH: '' };
      const backup = await createBackup({ databaseUrl: paramUrl, dir, env });
      await restoreBackup(backup.path, { databaseUrl: paramUrl, clean: true, env });
      const engine = createEngine({ env: testEnv, url: paramUrl, poolSize: 1 });
      await engine.sequelize.authenticate();
      const settingsUrl = engine.settings.url;
      await engine.close();

      const argv = await readFile(path.join(spy, 'pg_dump.argv'), 'utf8') + (await readFile(path.join(spy, 'pg_restore.argv'), 'utf8'));
      const env1 = (await readFile(path.join(spy, 'pg_dump.env'), 'utf8')) + (await readFile(path.join(spy, 'pg_restore.env'), 'utf8'));
      expect(argv).toContain('--format=custom');
      expect(env1).toMatch(/^PGPASSFILE=/m);
      const visible = [argv, env1, settingsUrl, redactUrl(paramUrl), ...backup.command].join('\n');
      for (const form of [PASSWORD, encodeURIComponent(PASSWORD), url.searchParams.toString().match(/password=([^&]*)/)![1]!]) {
        expect(visible).not.toContain(form);
      }
      expect(env1).not.toContain('DATABASE_URL');
      expect(env1).not.toContain('host-secret-value');
      const names = new Set(env1.split('\n').filter(Boolean).map((line) => line.slice(0, line.indexOf('='))));
      const allowed = new Set(['PGPASSFILE', 'PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH', 'PWD', 'SHLVL', '_']);
      expect([...names].filter((n) => !allowed.has(n))).toEqual([]);
    } finally {
      for (const key of Object.keys(hostSecrets)) delete process.env[key];
      await rm(spy, { recursive: true, force: true });
    }
  });

  it('lists newest first and prunes down to the newest N, sidecars included', async () => {
    const source = await freshDb('bk_prune');
    const pruneDir = path.join(dir, 'prune');
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push((await createBackup({ databaseUrl: source.url, dir: pruneDir })).path);
    await writeFile(path.join(pruneDir, 'notes.txt'), 'not a backup');
    expect((await listBackups(pruneDir)).map((b) => b.path)).toEqual([...made].reverse());
    expect(await pruneBackups(pruneDir, { keep: 2 })).toEqual([made[1], made[0]]);
    expect((await listBackups(pruneDir)).map((b) => b.path)).toEqual([made[3], made[2]]);
    await expect(readFile(`${made[0]}.sha256`)).rejects.toThrow();
    await expect(readFile(path.join(pruneDir, 'notes.txt'), 'utf8')).resolves.toBe('not a backup');
    await expect(pruneBackups(pruneDir, { keep: -1 })).rejects.toBeInstanceOf(BackupError);
    expect(await listBackups(path.join(dir, 'missing'))).toEqual([]);
  });

  it('DatabaseBackup keeps the document API', async () => {
    const source = await freshDb('bk_class');
    await withRawClient(source.url, (c) => c.query('CREATE TABLE doc (v int); INSERT INTO doc VALUES (1)'));
    const backups = new DatabaseBackup(source.url, path.join(dir, 'class'));
    const file = await backups.createBackup();
    await withRawClient(source.url, (c) => c.query('DROP TABLE doc'));
    expect(await backups.restoreBackup(file)).toBe(true);
    expect(await withRawClient(source.url, async (c) => (await c.query('SELECT v FROM doc')).rows)).toEqual([{ v: 1 }]);
    expect(await backups.restoreBackup(path.join(dir, 'nope.dump'))).toBe(false);
  });

  it('explains which pg_dump is needed when none matches the server', async () => {
    const error = await findPgBinary('pg_dump', 99, { PATH: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(/pg_dump 99 or newer is needed .*PostgreSQL apt repository.*apt-get install postgresql-client-99.*PG_BIN_DIR/);
    // An older server is dumped by a newer pg_dump: any major at least the server's is accepted.
    const forOld = await findPgBinary('pg_dump', 13);
    expect(forOld).toMatch(/pg_dump$/);
  });
});
