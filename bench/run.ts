/**
 * `npm run bench`: the repositories against hand-written node-postgres code for the same calls, in one
 * run, on one server. Prints a table of ratios and writes it to bench/RESULTS.md.
 *
 * Server: DATABASE_URL if set (a database `foodsave_bench_<pid>` is created there and dropped after),
 * otherwise a throwaway PostgreSQL started as the tests start theirs.
 *
 * Environment knobs: BENCH_ITERATIONS (latency samples per call, default 1500), BENCH_SECONDS (seconds
 * per throughput run, default 2).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import type { Engine } from '../src/index.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.js';
import { addRecipes, loadPantry } from './cookable.js';
import { asScopedRole, asSuperuser, hotPathCases, named, unnamed, type As, type BenchData, type Case } from './hot-paths.js';
import { lib, opentelemetry, ops, prometheus } from './library.js';
import { CONCURRENCY, latency, median, throughput, type Call } from './measure.js';
import { measureReadScaling } from './read-scaling.js';

const { createEngine, createFoodsave, runMigrations } = lib;
const { instrument } = ops;
const { createOpenTelemetryMetricProducer, createOpenTelemetryMetrics } = opentelemetry;
const { createPrometheusMetrics } = prometheus;

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Throughput rounds per call, alternating sides. */
const ROUNDS = 10;
const SIZES = { users: 10_000, conversations: 20_000, messages: 100_000, receipts: 5_000, itemsPerReceipt: 30, pantry: 1_000_000, recipes: 10_000 };

/** A reader that is never collected: the SDK aggregates as it would under a real exporter. */
class BenchReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}
interface Measure {
  p50: number;
  throughput: number;
  cpuPerOp: number;
  /** Server CPU per call in µs (the side's backends, from /proc), or NaN where the server is not local. */
  serverCpuPerOp: number;
}
/**
 * `library`, `rawScoped` and `namedScoped` log in as a role held to row-level security; `sameRole`, `raw`
 * and `named` as the superuser, to which no policy applies.
 */
type Side = 'library' | 'sameRole' | 'raw' | 'named' | 'rawScoped' | 'namedScoped';
const SIDES: Side[] = ['library', 'sameRole', 'raw', 'named', 'rawScoped', 'namedScoped'];
const perSide = <T>(make: (side: Side) => T) => Object.fromEntries(SIDES.map((side) => [side, make(side)])) as Record<Side, T>;
/** Each side's application_name: its own pool, so its backends (and their CPU) can be told apart. */
const APP_NAME: Record<Side, string> = {
  library: 'bench-library',
  sameRole: 'bench-library-same-role',
  raw: 'bench-raw',
  named: 'bench-raw-named',
  rawScoped: 'bench-raw-scoped',
  namedScoped: 'bench-raw-named-scoped',
};

/**
 * Alternates the sides in blocks and rounds (the library and raw pg unnamed and named, each as both
 * roles), so drift (autovacuum, cache) hits all alike.
 */
async function measure(calls: Record<Side, Call>, servers: Record<Side, { admin: pg.Client; app: string }>): Promise<Record<Side, Measure>> {
  for (const side of SIDES) await latency(calls[side], 100); // warm-up
  const samples = perSide<number[]>(() => []);
  const block = Math.max(50, Math.floor(ITERATIONS / 6));
  for (let done = 0; done < ITERATIONS; done += block) for (const side of SIDES) samples[side].push(...(await latency(calls[side], block)));
  // Throughput and CPU: ROUNDS rounds, the order of the sides rotating, each side SECONDS / 2 per round;
  // the medians resist a round disturbed by autovacuum or the machine's other load.
  const runs = perSide<{ ops: number; cpuPerOp: number; serverCpuPerOp: number }[]>(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[(round + i) % SIDES.length]!;
      runs[side].push(await throughput(calls[side], SECONDS / 2, servers[side]));
    }
  }
  const med = (side: Side, key: 'ops' | 'cpuPerOp' | 'serverCpuPerOp') => median(runs[side].map((r) => r[key]));
  const result = {} as Record<Side, Measure>;
  for (const side of SIDES) {
    result[side] = { p50: median(samples[side]), throughput: med(side, 'ops'), cpuPerOp: med(side, 'cpuPerOp'), serverCpuPerOp: med(side, 'serverCpuPerOp') };
  }
  return result;
}

async function load(client: pg.Client): Promise<void> {
  const t0 = performance.now();
  await client.query(`
    INSERT INTO users (username, email) SELECT 'user' || g, 'user' || g || '@example.com' FROM generate_series(1, ${SIZES.users}) g;
    CREATE TEMP TABLE u AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM users;
    INSERT INTO conversations (user_id, session_id, title, updated_at)
      SELECT u.id, 'session-' || g, 'Conversation ' || g, now() - (g || ' minutes')::interval
        FROM generate_series(1, ${SIZES.conversations}) g JOIN u ON u.n = 1 + g % ${SIZES.users};
    CREATE TEMP TABLE c AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM conversations;
    INSERT INTO messages (conversation_id, content, role, created_at)
      SELECT c.id, 'Message number ' || g || ' about what to cook with spinach before it goes off.',
             CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END, now() - (g || ' seconds')::interval
        FROM generate_series(1, ${SIZES.messages}) g JOIN c ON c.n = 1 + g % ${SIZES.conversations};
    INSERT INTO products (name) SELECT 'Product ' || g FROM generate_series(1, 1000) g;
    INSERT INTO receipts (user_id, store_name, total_amount, purchase_date)
      SELECT u.id, 'Store ' || (g % 20), (g % 20000) / 100.0, DATE '2026-01-01' + (g % 330)
        FROM generate_series(1, ${SIZES.receipts}) g JOIN u ON u.n = 1 + g % ${SIZES.users};
    INSERT INTO receipt_items (receipt_id, product_name, quantity, unit_price, total_price, created_at)
      SELECT r.id, 'Line ' || k, 1 + k % 3, 1.99, 1.99 * (1 + k % 3), clock_timestamp()
        FROM receipts r CROSS JOIN generate_series(1, ${SIZES.itemsPerReceipt}) k;
    INSERT INTO pantry_items (user_id, product_id, quantity, unit, expiry_date)
      SELECT u.id, (SELECT id FROM products ORDER BY id LIMIT 1), 1 + g % 5, 'pcs', current_date + (g % 120) - 30
        FROM generate_series(1, ${SIZES.pantry}) g JOIN u ON u.n = 1 + g % ${SIZES.users};`);
  // The food-saving data (bench/cookable.ts): 10k recipes of 4 to 8 ingredients over the 1,000 products,
  // and one cook with a 200-lot pantry and two weeks of planned dinners. One statement at a time, so the
  // ingredient-count trigger plans with real statistics.
  await client.query('ANALYZE');
  await loadPantry(client);
  await addRecipes(client, 0, SIZES.recipes);
  await client.query(
    `INSERT INTO meal_plans (user_id, plan_date, meal_type)
       SELECT (SELECT id FROM users WHERE username = 'cook'), current_date + g, 'dinner' FROM generate_series(1, 14) g`,
  );
  await client.query(
    `INSERT INTO meal_plan_items (meal_plan_id, recipe_id, servings)
       SELECT mp.id, rc.id, 4 FROM meal_plans mp JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM recipes) rc
           ON rc.n = 1 + (extract(day FROM mp.plan_date)::int * 97) % 10000
        WHERE mp.user_id = (SELECT id FROM users WHERE username = 'cook')`,
  );
  await client.query('VACUUM ANALYZE');
  console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** A login role for the library with data privileges only, or undefined (printed) when the server refuses one. */
async function createAppRole(admin: pg.Client, dbName: string): Promise<{ user: string; password: string } | undefined> {
  const role = { user: `${dbName}_app`, password: randomBytes(12).toString('hex') };
  try {
    await admin.query(`CREATE ROLE ${role.user} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${role.password}'`);
    return role;
  } catch (error) {
    console.log(`row-level security not measured: cannot create a role (${(error as Error).message})`);
    return undefined;
  }
}

async function grantData(url: string, role: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
                        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  } finally {
    await client.end();
  }
}

/** The bench's server, database, library engines and raw pools. */
interface Bench {
  server: PostgresServer | undefined;
  admin: pg.Client;
  dbName: string;
  url: URL;
  appRole: { user: string; password: string } | undefined;
  /** The library as a role held to row-level security. */
  engine: Engine;
  /** The same library logged in as raw pg's role: no policy applies to it, so it sends no scope setting. */
  sameRoleEngine: Engine;
  pool: pg.Pool;
  namedPool: pg.Pool;
  /** Raw pg as the role held to row-level security, unnamed and named. */
  scopedPool: pg.Pool;
  scopedNamedPool: pg.Pool;
}

async function openBench(): Promise<Bench> {
  let server: PostgresServer | undefined;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    server = await startPostgres({ settings: { shared_buffers: '512MB', max_connections: '100' } });
    baseUrl = server.url;
    console.log(`server: ${server.description}`);
  }
  const admin = new pg.Client({ connectionString: baseUrl });
  admin.on('error', () => {});
  await admin.connect();
  const dbName = `foodsave_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  // The library runs as a role held to row-level security (not the owner, no BYPASSRLS), as the README's
  // least-privilege setup has it, so every scoped call pays for its scope setting and the policies.
  // Raw pg runs both ways: as the server's superuser, which row-level security never applies to, and as
  // that role, setting the user the policies read on the connection before each call.
  const appRole = await createAppRole(admin, dbName);
  const appUrl = new URL(url);
  if (appRole) {
    appUrl.username = appRole.user;
    appUrl.password = appRole.password;
  }
  // Every side runs at the server's planner defaults: the engine applies no planner settings.
  const side = (s: 'library' | 'sameRole', at: URL) =>
    createEngine({ url: at.toString(), migrationUrl: url.toString(), env: {}, poolSize: CONCURRENCY, maxOverflow: 0, applicationName: APP_NAME[s] });
  const pool = (s: Exclude<Side, 'library' | 'sameRole'>, at: URL) => new pg.Pool({ connectionString: at.toString(), max: CONCURRENCY, application_name: APP_NAME[s] });
  return {
    server,
    admin,
    dbName,
    url,
    appRole,
    engine: side('library', appUrl),
    sameRoleEngine: side('sameRole', url),
    pool: pool('raw', url),
    namedPool: pool('named', url),
    scopedPool: pool('rawScoped', appUrl),
    scopedNamedPool: pool('namedScoped', appUrl),
  };
}

async function closeBench(b: Bench): Promise<void> {
  for (const pool of [b.pool, b.namedPool, b.scopedPool, b.scopedNamedPool]) await pool.end();
  await b.engine.close();
  await b.sameRoleEngine.close();
  await b.admin.query(`DROP DATABASE IF EXISTS ${b.dbName} WITH (FORCE)`);
  if (b.appRole) await b.admin.query(`DROP ROLE IF EXISTS ${b.appRole.user}`);
  await b.admin.end();
  await b.server?.stop();
}

/** Migrates, loads the data, and reads back what the calls pick from. */
async function prepareData(b: Bench): Promise<BenchData & { version: string; cookId: string }> {
  await runMigrations(b.engine);
  if (b.appRole) await grantData(b.url.toString(), b.appRole.user);
  const loader = new pg.Client({ connectionString: b.url.toString() });
  loader.on('error', () => {});
  await loader.connect();
  try {
    await load(loader);
    const ids = async (sql: string) => (await loader.query<{ id: string }>(sql)).rows.map((r) => r.id);
    const owned = async (sql: string) => (await loader.query<{ id: string; owner: string }>(sql)).rows;
    return {
      userIds: await ids('SELECT id FROM users'),
      conversations: await owned('SELECT id, user_id AS owner FROM conversations'),
      receipts: await owned('SELECT id, user_id AS owner FROM receipts'),
      version: (await loader.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
      cookId: (await ids("SELECT id FROM users WHERE username = 'cook'"))[0]!,
    };
  } finally {
    await loader.end();
  }
}

const us = (n: number) => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(0)} µs`);
const ratio = (a: number, b: number) => (Number.isNaN(a / b) ? 'n/a' : (a / b).toFixed(2));

/** One call's row: the library against raw pg unnamed and named, all logged in as the same role. */
function comparisonRow(name: string, lib: Measure, raw: Measure, prepared: Measure): string {
  const cells = [
    name,
    ...[lib.p50, raw.p50, prepared.p50].map((p) => us(p * 1000)),
    ratio(lib.p50, raw.p50),
    ratio(lib.p50, prepared.p50),
    ...[lib, raw, prepared].map((x) => `${x.throughput.toFixed(0)}/s`),
    ratio(lib.throughput, raw.throughput),
    `${us(lib.cpuPerOp)} / ${us(raw.cpuPerOp)} / ${us(prepared.cpuPerOp)}`,
    ratio(lib.cpuPerOp, raw.cpuPerOp),
    `${us(lib.serverCpuPerOp)} / ${us(raw.serverCpuPerOp)} / ${us(prepared.serverCpuPerOp)}`,
    ratio(lib.serverCpuPerOp, raw.serverCpuPerOp),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** One call's rows: held to row-level security, as the superuser, and what the policies cost each side. */
function tableRows(name: string, m: Record<Side, Measure>): { row: string; sameRoleRow: string; priceRow: string } {
  const price = [ratio(m.library.p50, m.sameRole.p50), ratio(m.rawScoped.p50, m.raw.p50), ratio(m.namedScoped.p50, m.named.p50)];
  return {
    row: comparisonRow(name, m.library, m.rawScoped, m.namedScoped),
    sameRoleRow: comparisonRow(name, m.sameRole, m.raw, m.named),
    priceRow: `| ${name} | ${price.join(' | ')} |`,
  };
}

/** Every hot path on all six sides; returns the tables' rows and the library's client CPU per call. */
async function measureHotPaths(b: Bench, cases: Case[], as: As, asSameRole: As): Promise<HotPathRows & { clientCpu: Map<string, number> }> {
  const reach = {
    raw: asSuperuser(b.pool),
    named: asSuperuser(b.namedPool),
    rawScoped: asScopedRole(b.scopedPool, unnamed),
    namedScoped: asScopedRole(b.scopedNamedPool, named),
  };
  const callsOf = (c: Case): Record<Side, Call> => ({
    library: () => c.library(as),
    sameRole: () => c.library(asSameRole),
    raw: () => c.raw(unnamed, reach.raw),
    named: () => c.raw(named, reach.named),
    rawScoped: () => c.raw(unnamed, reach.rawScoped),
    namedScoped: () => c.raw(named, reach.namedScoped),
  });
  const servers = perSide((side) => ({ admin: b.admin, app: APP_NAME[side] }));
  // Warm every path (JIT, plan caches, buffers) before anything is measured.
  for (const c of cases) for (const call of Object.values(callsOf(c))) await latency(call, 200);
  const out: HotPathRows = { rows: [], sameRoleRows: [], priceRows: [] };
  const clientCpu = new Map<string, number>();
  for (const c of cases) {
    const m = await measure(callsOf(c), servers);
    clientCpu.set(c.name, m.library.cpuPerOp);
    const { row, sameRoleRow, priceRow } = tableRows(c.name, m);
    out.rows.push(row);
    out.sameRoleRows.push(sameRoleRow);
    out.priceRows.push(priceRow);
    console.log(`row-level security: ${row}`);
    console.log(`superuser: ${sameRoleRow}`);
    console.log(`price: ${priceRow}`);
  }
  return { ...out, clientCpu };
}

interface HotPathRows {
  rows: string[];
  sameRoleRows: string[];
  priceRows: string[];
}

/** The food-saving queries: p50 at concurrency 1 (no hand-written equivalent to compare with). */
async function measureDomain(b: Bench, as: As, cookId: string): Promise<string[]> {
  const domain: string[] = [];
  const nextWeek = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const cookable = () => as(cookId).recipes.getCookableRecipes({ maxMissing: 2 });
  const sample = async (label: string, call: Call) => {
    await latency(call, 20);
    const samples = await latency(call, Math.max(50, Math.floor(ITERATIONS / 10)));
    domain.push(`| ${label} | ${(median(samples) * 1000).toFixed(0)} µs |`);
    console.log(domain.at(-1));
    return median(samples);
  };
  const at10k = await sample('getCookableRecipes (10k recipes, 200-lot pantry, maxMissing 2)', cookable);
  await sample('getShoppingList (14 planned dinners)', () => as(cookId).mealPlans.getShoppingList({ from: nextWeek(1), to: nextWeek(14) }));
  // The same question of a catalogue ten times the size (the first call rebuilds the catalogue index).
  const grower = new pg.Client({ connectionString: b.url.toString() });
  await grower.connect();
  await addRecipes(grower, SIZES.recipes, SIZES.recipes * 10);
  await grower.end();
  const rebuild = performance.now();
  await cookable();
  console.log(`catalogue index rebuilt for 100k recipes in ${(performance.now() - rebuild).toFixed(0)} ms`);
  const at100k = await sample('getCookableRecipes (100k recipes, same pantry)', cookable);
  domain.push(`| ratio 100k ÷ 10k | ${(at100k / at10k).toFixed(2)} |`);
  return domain;
}

/** Each combination of hooks the overhead table measures: attaches it, returning its detachers. */
function hookVariants(engine: Engine, provider: MeterProvider): [string, () => (() => void)[]][] {
  const prom = () => instrument(engine, createPrometheusMetrics({ registry: new Registry() }));
  const producer = () => instrument(engine, createOpenTelemetryMetricProducer().hooks);
  const meter = (name: string) => () => instrument(engine, createOpenTelemetryMetrics({ meter: provider.getMeter(name) }));
  return [
    ['none (engine events only)', () => []],
    ['Prometheus', () => [prom()]],
    ['OpenTelemetry (meter)', () => [meter('bench')()]],
    ['OpenTelemetry (MetricProducer)', () => [producer()]],
    ['Prometheus + OpenTelemetry (MetricProducer)', () => [prom(), producer()]],
    ['Prometheus + OpenTelemetry (meter)', () => [prom(), meter('bench2')()]],
  ];
}

/**
 * Instrumentation overhead, measured directly: the CPU each kind of hooks adds per query event, fed the
 * SQL texts the calls really send, as a share of the cheapest call's client CPU (`cheapest`, µs).
 */
async function measureOverhead(engine: Engine, cases: Case[], as: As, cheapest: number): Promise<string[]> {
  const texts = new Set<string>();
  const capture = (e: { sql: string }) => texts.add(e.sql);
  engine.events.on('query', capture);
  for (const c of cases) await c.library(as);
  engine.events.off('query', capture);
  const sqls = [...texts];
  const perEvent = () => {
    const n = 200_000;
    // Fresh strings, as the repositories build them per call.
    const batch = Array.from({ length: 1000 }, (_, i) => `${sqls[i % sqls.length]!} `.trimEnd());
    for (let i = 0; i < 20_000; i++) engine.events.emit('query', { sql: batch[i % 1000]!, durationMs: 0.2 });
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) engine.events.emit('query', { sql: batch[i % 1000]!, durationMs: 0.2 });
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const overhead: string[] = [];
  const provider = new MeterProvider({ readers: [new BenchReader()] });
  for (const [label, attach] of hookVariants(engine, provider)) {
    const detach = attach();
    const cost = perEvent();
    for (const d of detach) d();
    overhead.push(`| ${label} | ${cost.toFixed(2)} µs | ${((cost / cheapest) * 100).toFixed(1)} % |`);
    console.log(overhead.at(-1));
  }
  await provider.shutdown();
  return overhead;
}

/** The machine, the data and the method: the report's opening lines. */
function reportHeader(b: Bench, version: string): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    '# Benchmark results',
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}, PostgreSQL ${version}` +
      (b.server ? ` (${b.server.kind}, on the same machine)` : ''),
    `Data: ${SIZES.users.toLocaleString('en')} users, ${SIZES.conversations.toLocaleString('en')} conversations, ${SIZES.messages.toLocaleString('en')} messages, ` +
      `${SIZES.receipts.toLocaleString('en')} receipts with ${(SIZES.receipts * SIZES.itemsPerReceipt).toLocaleString('en')} items, ${SIZES.pantry.toLocaleString('en')} pantry items, ` +
      `${SIZES.recipes.toLocaleString('en')} recipes of 4 to 8 ingredients (three of them from the 200 most used products; 100,000 for the last food-saving row), and a cook with a 200-lot pantry of those 200 products (one lot in ten without a date) and 14 planned dinners.`,
    `Method: six sides, each with its own pool of ${CONCURRENCY}: foodsave-db, raw pg with unnamed statements (the anchor) and raw pg with named prepared statements (the limit), each logged in once as a role held to row-level security (the first table) and once as the superuser (the second). ` +
      `${ITERATIONS} sequential calls per side for p50 (interleaved in blocks, after warm-up); ` +
      `${CONCURRENCY} concurrent callers for throughput, ${ROUNDS} rounds of ${SECONDS / 2} s per side in rotating order, each after a full garbage collection outside the measured time, medians; client CPU is this process's user+system time per operation in those runs, ` +
      "server CPU the user+system time of that side's backends (from /proc, by application_name) per operation. " +
      'Latency and CPU ratios are foodsave-db ÷ raw pg (lower is better); the throughput ratio is foodsave-db ÷ raw pg unnamed (higher is better). ' +
      'Every library call goes through a user scope made for that call (`db.forUser(id)`); the raw pg sides do the same work, ' +
      "owner check included (a message is added, and a receipt or a conversation's messages read, only for their owner). " +
      (b.appRole
        ? 'Held to row-level security, every side pays for the policies and for telling them the user: the library sends its scope setting in the same round trip as the statement; raw pg takes a connection, sets `foodsave.user_id` on it with `set_config`, then runs the call, as an app without the library does.'
        : 'Row-level security is not in these numbers: the server would not create a role held to it, so every side ran as its superuser.'),
    '',
  ];
}

const COMPARISON_HEAD = [
  '| call | p50 foodsave-db | p50 raw pg | p50 raw pg named | p50 ÷ raw | p50 ÷ named | throughput foodsave-db | throughput raw pg | throughput raw named | throughput ÷ raw | client CPU/op (lib / raw / named) | client CPU ÷ raw | server CPU/op (lib / raw / named) | server CPU ÷ raw |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

/** The report's tables, after its header. */
function reportTables(t: HotPathRows & { domain: string[]; scaling: string[]; overhead: string[] }): string[] {
  return [
    '## Held to row-level security',
    '',
    'Every side logged in as a role held to the policies, as the README recommends.',
    '',
    ...COMPARISON_HEAD,
    ...t.rows,
    '',
    '## As the superuser',
    '',
    'Every side logged in as the superuser, to which PostgreSQL applies no policy, measured in the same rounds: the library sends no scope setting, ' +
      'one statement per call, as raw pg.',
    '',
    ...COMPARISON_HEAD,
    ...t.sameRoleRows,
    '',
    '## The price of row-level security',
    '',
    'Each side\'s p50 held to row-level security ÷ its p50 as the superuser.',
    '',
    '| call | foodsave-db | raw pg | raw pg named |',
    '| --- | --- | --- | --- |',
    ...t.priceRows,
    '',
    '## Food-saving queries',
    '',
    'p50 latency at concurrency 1, on the same server and data.',
    '',
    '| call | p50 |',
    '| --- | --- |',
    ...t.domain,
    '',
    '## Read scaling with streaming replicas',
    '',
    ...t.scaling,
    '',
    '## Instrumentation overhead',
    '',
    'Client CPU that the hooks add per query, measured by feeding 200,000 query events with the SQL the calls above send, ' +
      'as a share of the client CPU of the cheapest call (get by id, from the table above): the worst case in percent.',
    '',
    '| hooks | CPU per query | share of get by id |',
    '| --- | --- | --- |',
    ...t.overhead,
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ];
}

async function main(): Promise<void> {
  const b = await openBench();
  try {
    const data = await prepareData(b);
    const cases = hotPathCases(data);
    // Every library call goes through a user scope made for that call, as a host makes one per request.
    const db = createFoodsave(b.engine);
    const sameRoleDb = createFoodsave(b.sameRoleEngine);
    const as: As = (userId) => db.forUser(userId);
    const { clientCpu, ...hotPaths } = await measureHotPaths(b, cases, as, (userId) => sameRoleDb.forUser(userId));
    const domain = await measureDomain(b, as, data.cookId);
    const overhead = await measureOverhead(b.engine, cases, as, clientCpu.get('get by id')!);
    // Last, after this server's numbers: three more servers on the same cores would disturb them.
    console.log('read scaling: starting a primary and two streaming replicas ...');
    const scaling = await measureReadScaling(SECONDS / 2);
    for (const line of scaling.lines) console.log(line);
    const report = [...reportHeader(b, data.version), ...reportTables({ ...hotPaths, domain, scaling: scaling.lines, overhead })].join('\n');
    writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md'), report);
    console.log(`\n${report}`);
  } finally {
    await closeBench(b);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
