import pg from 'pg';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import {
  createEngine,
  createFoodsave,
  migrationStatus,
  MigrationError,
  MigrationLockTimeoutError,
  revertMigrations,
  runMigrations,
  type Engine,
} from '../src/index.js';
import { migrations, type Migration } from '../src/entries/migrations.js';
import { runMigrationsInProcess } from './support/migration-runner-process.js';
import { adminQuery, createTestDatabase, type TestDatabase, testEnv, testSchema, rawUrl, tbl } from './support/test-database.js';

const cleanups: (() => Promise<void>)[] = [];

interface PlanNode {
  Filter?: string;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

/** The conditions a plan checks row by row: every node's filter, but not those of its InitPlans, run once. */
function rowFilters(node: PlanNode): string[] {
  if (node['Parent Relationship'] === 'InitPlan') return [];
  return [...(node.Filter ? [node.Filter] : []), ...(node.Plans ?? []).flatMap(rowFilters)];
}

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fresh(label: string): Promise<{ db: TestDatabase; engine: Engine; query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]> }> {
  const db = await createTestDatabase(label);
  const engine = createEngine({ env: testEnv, url: db.url, poolSize: 1, maxOverflow: 1 });
  const client = new pg.Client({ connectionString: rawUrl(db.url) });
  await client.connect();
  cleanups.push(async () => {
    await client.end();
    await engine.close();
    await db.drop();
  });
  return {
    db,
    engine,
    query: async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<R>(sql, params)).rows,
  };
}

/** Everything in `public` that a migration can create, as comparable text. */
const SNAPSHOT_SQL = `
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS item
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = '${testSchema}'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = '${testSchema}'::regnamespace
  UNION ALL
  SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = '${testSchema}'
  UNION ALL
  SELECT 'trigger ' || tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = '${testSchema}'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT 'function ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p
   WHERE p.pronamespace = '${testSchema}'::regnamespace
     -- Functions of extensions (pg_trgm) belong to the extension, which down leaves installed.
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  ORDER BY 1`;

const extra = (name: string, up: string, down = 'SELECT 1'): Migration => ({ name, up, down });

describe('runMigrations', () => {
  it('applies the library migrations once, in its own table, and leaves SequelizeMeta alone', async () => {
    const { engine, query } = await fresh('apply');
    await query('CREATE TABLE "SequelizeMeta" (name varchar(255) PRIMARY KEY)');
    await query(`INSERT INTO "SequelizeMeta" VALUES ('20200101-host-app.js')`);
    expect(await runMigrations(engine)).toEqual(migrations.map((m) => m.name));
    expect(await runMigrations(engine)).toEqual([]);
    const recorded = await query<{ name: string; checksum: string }>('SELECT name, checksum FROM foodsave_db_migrations');
    expect(recorded.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    expect(recorded[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await query('SELECT name FROM "SequelizeMeta"')).toEqual([{ name: '20200101-host-app.js' }]);
  });

  it('up, down to nothing, then up again gives an identical schema', async () => {
    const { engine, query } = await fresh('roundtrip');
    await runMigrations(engine);
    const first = (await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item);
    expect(first.length).toBeGreaterThan(100);
    expect(await revertMigrations(engine)).toEqual([...migrations].reverse().map((m) => m.name));
    const empty = (await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item);
    // Only the bookkeeping table is left.
    expect(empty.every((item) => item.includes('foodsave_db_migrations'))).toBe(true);
    await runMigrations(engine);
    expect((await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item)).toEqual(first);
  });

  it('ships seventeen migrations; 0004 adds only the same-owner triggers and their functions, which its down removes', async () => {
    expect(migrations.map((m) => m.name)).toEqual([
      '0001-initial-schema',
      '0002-pantry-ledger',
      '0003-search-and-matching',
      '0004-same-owner-references',
      '0005-recipes-by-ingredient-count',
      '0006-date-kinds',
      '0007-exact-amounts',
      '0008-recipe-ingredients-by-product',
      '0009-functions-own-search-path',
      '0010-category-tree-bounds',
      '0011-row-level-security',
      '0012-category-tree-serialised',
      '0013-recipe-catalogue-version',
      '0014-child-policies-without-functions',
      '0015-triggers-only-when-needed',
      '0016-policies-read-the-scope-once',
      '0017-users-email-lower',
    ]);
    const { engine, query } = await fresh('same_owner');
    await runMigrations(engine, { to: '0003-search-and-matching' });
    const before = (await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item);
    expect(await runMigrations(engine, { to: '0004-same-owner-references' })).toEqual(['0004-same-owner-references']);
    const after = (await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item);
    expect(before.every((item) => after.includes(item))).toBe(true);
    const added = after.filter((item) => !before.includes(item)).map((item) => item.split(' ').slice(0, 2).join(' '));
    expect(added.sort()).toEqual([
      'function foodsave_check_pantry_event_owner',
      'function foodsave_check_receipt_line_owner',
      'function foodsave_check_receipt_owner',
      'function foodsave_reject_foreign_reference',
      'trigger trg_pantry_events_same_owner',
      'trigger trg_pantry_events_same_owner_line',
      'trigger trg_pantry_items_same_owner',
      'trigger trg_receipts_same_owner',
    ]);
    expect(await revertMigrations(engine, { to: '0004-same-owner-references' })).toEqual(['0004-same-owner-references']);
    expect((await query<{ item: string }>(SNAPSHOT_SQL)).map((r) => r.item)).toEqual(before);
  });

  it('0015 fires the same-owner and date-kind triggers only for the rows they act on, with the same results', async () => {
    const { engine, query } = await fresh('when_needed');
    await runMigrations(engine);
    const conditions = await query<{ tgname: string; def: string }>(
      `SELECT tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = '${testSchema}'::regnamespace AND (tgname LIKE '%same_owner%' OR tgname LIKE '%date_kind') ORDER BY tgname`,
    );
    expect(conditions.map((r) => [r.tgname, /WHEN \(\(?new\.(\w+) (IS NOT NULL|IS NULL)\)?\)/.exec(r.def)?.slice(1)])).toEqual([
      ['trg_pantry_events_same_owner', ['pantry_item_id', 'IS NOT NULL']],
      ['trg_pantry_events_same_owner_line', ['receipt_item_id', 'IS NOT NULL']],
      ['trg_pantry_items_date_kind', ['date_kind', 'IS NULL']],
      ['trg_pantry_items_same_owner', ['receipt_item_id', 'IS NOT NULL']],
      ['trg_receipts_same_owner', ['conversation_id', 'IS NOT NULL']],
    ]);
    const id = async (text: string, values: unknown[] = []) => (await query<{ id: string }>(text, values))[0]!.id;
    const a = await id(`INSERT INTO ${tbl('users')} (username, email) VALUES ('a', 'a@x.io') RETURNING id`);
    const b = await id(`INSERT INTO ${tbl('users')} (username, email) VALUES ('b', 'b@x.io') RETURNING id`);
    const product = await id(`INSERT INTO ${tbl('products')} (name, storage_info) VALUES ('Yoghurt', '{"dateKind": "best_before"}') RETURNING id`);
    const receipt = await id(`INSERT INTO ${tbl('receipts')} (user_id) VALUES ($1) RETURNING id`, [a]);
    const line = await id(`INSERT INTO ${tbl('receipt_items')} (receipt_id, product_name) VALUES ($1, 'Yoghurt') RETURNING id`, [receipt]);
    const lot = (user: string, kind: string | null, receiptLine: string | null) =>
      query<{ date_kind: string }>(
        `INSERT INTO ${tbl('pantry_items')} (user_id, product_id, quantity, unit, date_kind, receipt_item_id) VALUES ($1, $2, 1, 'pcs', $3, $4) RETURNING date_kind`,
        [user, product, kind, receiptLine],
      );
    // A missing kind is still looked up, a given one kept; another user's receipt line is still refused.
    expect(await lot(a, null, line)).toEqual([{ date_kind: 'best_before' }]);
    expect(await lot(a, 'use_by', null)).toEqual([{ date_kind: 'use_by' }]);
    await expect(lot(b, null, line)).rejects.toMatchObject({ code: '23503', constraint: 'pantry_items_receipt_item_id_fkey' });
  });

  it('0016 has the policies read the scope once per statement, not per row (but for the one user row), and its down puts the former ones back', async () => {
    const { db, engine, query } = await fresh('scope_once');
    await runMigrations(engine, { to: '0015-triggers-only-when-needed' });
    const policies = () =>
      query<{ p: string }>(
        `SELECT tablename || ' ' || policyname || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') AS p
           FROM pg_policies WHERE schemaname = $1 ORDER BY tablename, policyname`,
        [testSchema],
      );
    // A receipt's lines as the application role, held to the policies: each line's own policy and the
    // probe of its receipt under the receipt's policy. Only InitPlans, run once, may read the setting.
    const app = pg.escapeIdentifier(decodeURIComponent(new URL(db.appUrl).username));
    await query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(testSchema)} TO ${app}; GRANT SELECT ON ${tbl('receipts')}, ${tbl('receipt_items')} TO ${app}`);
    const client = new pg.Client({ connectionString: rawUrl(db.appUrl) });
    await client.connect();
    cleanups.push(() => client.end());
    const filtersReadingTheScope = async () => {
      await client.query('BEGIN');
      await client.query("SELECT set_config('foodsave.user_id', $1, true)", ['00000000-0000-4000-8000-000000000001']);
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) SELECT * FROM ${tbl('receipt_items')} WHERE receipt_id = $1`,
        ['00000000-0000-4000-8000-000000000002'],
      );
      await client.query('ROLLBACK');
      const filters = rowFilters(rows[0]!['QUERY PLAN'][0].Plan);
      expect(filters.length).toBeGreaterThan(0);
      return filters.filter((f) => f.includes('current_setting')).length;
    };
    const before = await policies();
    expect(await filtersReadingTheScope()).toBeGreaterThan(0);
    expect(await runMigrations(engine, { to: '0016-policies-read-the-scope-once' })).toEqual(['0016-policies-read-the-scope-once']);
    expect(await filtersReadingTheScope()).toBe(0);
    // The user row alone is still read per row: a scope sees one.
    const usersPolicy = (list: { p: string }[]) => list.filter((r) => r.p.startsWith('users ')).map((r) => r.p);
    expect(usersPolicy(await policies())).toEqual(usersPolicy(before));
    expect(usersPolicy(before)).toHaveLength(1);
    expect(await revertMigrations(engine, { to: '0016-policies-read-the-scope-once' })).toEqual(['0016-policies-read-the-scope-once']);
    expect(await policies()).toEqual(before);
  });

  it("0017 keys users' emails by a generated lower(email), unique as before, and its down puts the expression index back", async () => {
    const { engine, query } = await fresh('email_lower');
    await runMigrations(engine, { to: '0016-policies-read-the-scope-once' });
    const emailIndex = async () =>
      (await query<{ def: string }>("SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND indexname = 'users_email_lower_key'", [testSchema])).map((r) => r.def.replace(/^.* USING /, ''));
    expect(await emailIndex()).toEqual(['btree (lower((email)::text))']);
    await query("INSERT INTO users (username, email) VALUES ('ana', 'Ana@Example.com')");
    expect(await runMigrations(engine)).toEqual(['0017-users-email-lower']);
    expect(await emailIndex()).toEqual(['btree (email_lower)']);
    // Rows written before it get their key in the rewrite; rows written after it, on insert and update.
    expect(await query('SELECT email, email_lower FROM users')).toEqual([{ email: 'Ana@Example.com', email_lower: 'ana@example.com' }]);
    await expect(query("INSERT INTO users (username, email) VALUES ('ana2', 'ANA@example.COM')")).rejects.toMatchObject({ code: '23505', constraint: 'users_email_lower_key' });
    await query("UPDATE users SET email = 'Ana@Elsewhere.org'");
    expect(await query('SELECT email_lower FROM users')).toEqual([{ email_lower: 'ana@elsewhere.org' }]);
    // 428C9 (generated_always); PostgreSQL 13 reports the same refusal as 42601.
    const refused = await query("INSERT INTO users (username, email, email_lower) VALUES ('bo', 'bo@x.io', 'bo@x.io')").catch((e: { code?: string }) => e);
    expect(['428C9', '42601']).toContain((refused as { code?: string }).code);
    expect(String(refused)).toMatch(/cannot insert (a non-DEFAULT value )?into column "email_lower"/);
    expect(await revertMigrations(engine, { to: '0017-users-email-lower' })).toEqual(['0017-users-email-lower']);
    expect(await emailIndex()).toEqual(['btree (lower((email)::text))']);
    expect(await query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'email_lower'", [testSchema])).toEqual([{ n: 0 }]);
    await expect(query("INSERT INTO users (username, email) VALUES ('ana2', 'ANA@elsewhere.ORG')")).rejects.toMatchObject({ code: '23505', constraint: 'users_email_lower_key' });
  });

  it('stops at `to`, and reverts down to and including `to`', async () => {
    const { engine, query } = await fresh('to');
    const list = [...migrations, extra('0100-a', 'CREATE TABLE a (id int)', 'DROP TABLE a'), extra('0101-b', 'CREATE TABLE b (id int)', 'DROP TABLE b')];
    expect(await runMigrations(engine, { migrations: list, to: '0100-a' })).toEqual([...migrations.map((m) => m.name), '0100-a']);
    expect((await migrationStatus(engine, { migrations: list })).pending).toEqual(['0101-b']);
    await runMigrations(engine, { migrations: list });
    expect(await revertMigrations(engine, { migrations: list, to: '0100-a' })).toEqual(['0101-b', '0100-a']);
    expect(await query("SELECT to_regclass('a') AS a, to_regclass('b') AS b")).toEqual([{ a: null, b: null }]);
    await expect(runMigrations(engine, { migrations: list, to: 'no-such' })).rejects.toBeInstanceOf(MigrationError);
  });

  it('a migration that throws halfway leaves no DDL and no row, and runs once fixed', async () => {
    const { engine, query } = await fresh('halfway');
    const broken = extra('0200-broken', 'CREATE TABLE half (id int); INSERT INTO half VALUES (1); SELECT 1/0;', 'DROP TABLE half');
    const error = await runMigrations(engine, { migrations: [...migrations, broken] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('0200-broken');
    expect((error as Error).message).toMatch(/0200-broken failed and was rolled back: division by zero/);
    expect(await query("SELECT to_regclass('half') AS t")).toEqual([{ t: null }]);
    expect(await query("SELECT name FROM foodsave_db_migrations WHERE name = '0200-broken'")).toEqual([]);
    // The migrations before it are applied and kept.
    expect((await migrationStatus(engine, { migrations: [...migrations, broken] })).pending).toEqual(['0200-broken']);

    const fixed = extra('0200-broken', 'CREATE TABLE half (id int); INSERT INTO half VALUES (1);', 'DROP TABLE half');
    expect(await runMigrations(engine, { migrations: [...migrations, fixed] })).toEqual(['0200-broken']);
    expect(await query('SELECT id FROM half')).toEqual([{ id: 1 }]);
  });

  it("a first run that fails leaves nothing behind: no schema, no empty bookkeeping table (a host's users table in the way)", async () => {
    const db = await createTestDatabase('clash');
    const client = new pg.Client({ connectionString: db.directUrl });
    await client.connect();
    // The own-schema pass already gave every test database this host table.
    await client.query('CREATE TABLE IF NOT EXISTS public.users (id serial PRIMARY KEY, login text)');
    const hostRows = (await client.query('SELECT count(*)::int AS n FROM public.users')).rows;
    const inPublic = createEngine({ env: {}, url: db.url, poolSize: 1, schema: 'public' });
    const inOwn = createEngine({ env: {}, url: db.url, poolSize: 1, schema: 'foodsave_clash' });
    cleanups.push(async () => {
      await client.end();
      await inPublic.close();
      await inOwn.close();
      await db.drop();
    });
    const error = await runMigrations(inPublic).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/0001-initial-schema failed and was rolled back: relation "users" already exists/);
    const left = async () =>
      (await client.query<{ t: string }>("SELECT to_regclass('public.foodsave_db_migrations')::text AS t, to_regnamespace('foodsave_clash')::text AS s")).rows[0];
    expect(await left()).toEqual({ t: null, s: null });
    // Its own schema is the way out: the host's table stays as it was.
    const broken = extra('0000-broken', 'SELECT 1/0', 'SELECT 1');
    await expect(runMigrations(inOwn, { migrations: [broken, ...migrations] })).rejects.toThrow(/division by zero/);
    expect(await left()).toEqual({ t: null, s: null });
    expect(await runMigrations(inOwn)).toHaveLength(migrations.length);
    expect((await client.query("SELECT to_regclass('foodsave_clash.foodsave_db_migrations')::text AS t")).rows).toEqual([{ t: 'foodsave_clash.foodsave_db_migrations' }]);
    expect((await client.query('SELECT count(*)::int AS n FROM public.users')).rows).toEqual(hostRows);
  });

  it('an application role with data privileges only runs runMigrations with nothing pending, and migrationStatus', async () => {
    const { db, engine, query } = await fresh('least_privilege');
    await runMigrations(engine);
    const role = `fs_app_${db.name.slice(-8)}`;
    const schema = `"${testSchema}"`;
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'app-secret' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`);
    // The README's grants for an application role, verbatim in spirit: no ownership, no CREATE anywhere.
    for (const grant of [
      `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
      `GRANT CONNECT ON DATABASE "${db.name}" TO ${role}`,
      `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`,
      `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`,
    ]) await query(grant);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'app-secret';
    const app = createEngine({ env: testEnv, url: url.toString(), poolSize: 1 });
    cleanups.push(async () => {
      await app.close();
      await adminQuery(`DROP OWNED BY ${role} CASCADE`).catch(() => undefined);
    });
    expect((await query<{ c: boolean }>(`SELECT has_schema_privilege('${role}', '${testSchema}', 'CREATE') AS c`))[0]).toEqual({ c: false });
    expect(await runMigrations(app)).toEqual([]);
    expect((await migrationStatus(app)).pending).toEqual([]);
    // And it can do its work: the data API, not the schema.
    const user = await createFoodsave(app).admin.users.create({ username: 'least', email: 'least@example.com' });
    expect(user.username).toBe('least');
    await expect(app.sequelize.query(`CREATE TABLE ${schema}.intruder (id int)`)).rejects.toThrow(/permission denied/);
  });

  it('an install made before DATABASE_SCHEMA (tables wherever the search_path pointed) is found, not duplicated', async () => {
    const { db, query } = await fresh('upgrade');
    await query('CREATE SCHEMA legacy');
    await adminQuery(`ALTER DATABASE "${db.name}" SET search_path = legacy, public`);
    const old = createEngine({ env: {}, url: db.url, poolSize: 1, schema: 'legacy' });
    const fresh0 = createEngine({ env: {}, url: db.url, poolSize: 1, schema: testSchema === 'public' ? 'public' : testSchema });
    cleanups.push(async () => {
      await old.close();
      await fresh0.close();
    });
    await runMigrations(old, { to: '0002-pantry-ledger' });
    const error = await runMigrations(fresh0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/tables are in schema "legacy", not "(public|foodsave)": set DATABASE_SCHEMA=legacy/);
    expect(await query(`SELECT to_regclass('${tbl('users')}')::text AS t`)).toEqual([{ t: null }]);
    expect(await runMigrations(old)).toHaveLength(migrations.length - 2);
  });

  it('0010 stops on a category cycle written before it, naming a category, and runs once it is fixed', async () => {
    const { engine, query } = await fresh('cycle');
    await runMigrations(engine, { to: '0009-functions-own-search-path' });
    const [a, b] = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b2'];
    await query(`INSERT INTO categories (id, name) VALUES ($1, 'A'), ($2, 'B')`, [a, b]);
    await query('UPDATE categories SET parent_id = $2 WHERE id = $1', [a, b]);
    await query('UPDATE categories SET parent_id = $1 WHERE id = $2', [a, b]);
    await expect(runMigrations(engine)).rejects.toThrow(/category 0{8}-0000-4000-8000-0000000000(a1|b2) is in a cycle or more than 32 levels deep/);
    await query('UPDATE categories SET parent_id = NULL WHERE id = $1', [a]);
    expect(await runMigrations(engine)).toEqual(['0010-category-tree-bounds', '0011-row-level-security', '0012-category-tree-serialised', '0013-recipe-catalogue-version', '0014-child-policies-without-functions', '0015-triggers-only-when-needed', '0016-policies-read-the-scope-once', '0017-users-email-lower']);
  });

  it('refuses a changed migration, names it, and changes nothing', async () => {
    const { engine, query } = await fresh('drift');
    const original = extra('0300-x', 'CREATE TABLE x (id int)', 'DROP TABLE x');
    await runMigrations(engine, { migrations: [...migrations, original] });
    const edited = extra('0300-x', 'CREATE TABLE x (id bigint)', 'DROP TABLE x');
    const next = extra('0301-y', 'CREATE TABLE y (id int)', 'DROP TABLE y');
    const error = await runMigrations(engine, { migrations: [...migrations, edited, next] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'MIGRATION_DRIFT', migration: '0300-x' });
    expect((error as Error).message).toContain('0300-x');
    expect(await query("SELECT to_regclass('y') AS t")).toEqual([{ t: null }]);
    const status = await migrationStatus(engine, { migrations: [...migrations, edited, next] });
    expect(status.changed).toEqual(['0300-x']);
    expect(status.pending).toEqual(['0301-y']);
  });

  it('reports migrations applied by a newer version as unknown, and still runs', async () => {
    const { engine } = await fresh('unknown');
    await runMigrations(engine, { migrations: [...migrations, extra('0400-newer', 'SELECT 1')] });
    expect(await runMigrations(engine)).toEqual([]);
    expect((await migrationStatus(engine)).unknown).toEqual(['0400-newer']);
  });

  it('throws MigrationLockTimeoutError when another runner holds the lock', async () => {
    const { db, engine, query } = await fresh('locked');
    const holder = new pg.Client({ connectionString: rawUrl(db.url) });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query("SELECT pg_advisory_lock('7381240791506712165'::bigint)");
    const error = await runMigrations(engine, { lockTimeoutMs: 300, lockPollMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationLockTimeoutError);
    expect(error).toMatchObject({ code: 'MIGRATION_LOCK_TIMEOUT', timeoutMs: 300 });
    expect(await query(`SELECT to_regclass('${tbl('users')}') AS t`)).toEqual([{ t: null }]);
    await holder.query("SELECT pg_advisory_unlock('7381240791506712165'::bigint)");
    await expect(runMigrations(engine, { lockTimeoutMs: 5000 })).resolves.toEqual(migrations.map((m) => m.name));
  });
});

describe('many hosts starting at once', () => {
  it('five separate processes on an empty database all succeed and apply each migration once', async () => {
    const { db, query } = await fresh('five');
    const runs = Array.from({ length: 5 }, () => runMigrationsInProcess(db.url, 'library'));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const applied = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
    expect(applied.sort()).toEqual(migrations.map((m) => m.name).sort());
    const recorded = await query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM foodsave_db_migrations GROUP BY name ORDER BY name');
    expect(recorded).toEqual(migrations.map((m) => ({ name: m.name, n: '1' })));
  });

  it('a runner killed while migrating leaves no stale lock and no half-applied migration', async () => {
    const { db, engine, query } = await fresh('killed');
    // PostgreSQL 13 has no client_connection_check_interval: a killed runner's statement runs to its end
    // before the server notices, so there the slow statement is short and the lock is freed when it ends.
    const major = Math.floor(inject('serverVersionNum') / 10_000);
    if (major < 14) console.warn(`[foodsave-db tests] PostgreSQL ${major}: a killed runner's lock lasts until its statement ends (no client_connection_check_interval before 14)`);
    const run = runMigrationsInProcess(db.url, 'slow', major < 14 ? 3 : 60);
    // Wait until the child holds the lock and sits in the slow migration.
    await vi.waitFor(
      async () => {
        const busy = await query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(%' AND state = 'active'");
        expect(busy).toHaveLength(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // The library's own migrations committed before the slow one; the slow one did not.
    await expect(runMigrations(engine, { lockTimeoutMs: 20_000 })).resolves.toEqual([]);
    expect(await query("SELECT to_regclass('slow_marker') AS t")).toEqual([{ t: null }]);
    expect(await query("SELECT 1 FROM foodsave_db_migrations WHERE name = '9999-slow'")).toEqual([]);
  });
});
