/**
 * `npm test`'s last step: `vitest run`, once per PostgreSQL major.
 *
 *   npm test                                   # vitest once, on TEST_PG_MAJOR (default 15)
 *   TEST_PG_MAJORS=13,15,18 npm test           # vitest once per major, one after the other
 *   TEST_PG_MAJORS=all npm test                # every installed embedded major
 *   npm test -- test/engine.test.ts -t pool    # arguments after `--` go to each vitest run
 *
 * `pgbouncer` in the list adds a run of every test of the public data API (the repositories, the user
 * scope, the domain, the example, health) with each test database reached through PgBouncer in
 * transaction mode (`TEST_VIA_PGBOUNCER=transaction`), on the default major: Debian 12's PgBouncer 1.18,
 * which loses named statements, so each engine finds that out and goes on unnamed.
 *
 * `pgbouncer-prepared` adds the same run behind PgBouncer 1.22+ with `max_prepared_statements`
 * (`TEST_PGBOUNCER_RELEASE=tracking`), with `DATABASE_PREPARED_STATEMENTS=on` for the tests' engines
 * (`TEST_DATABASE_PREPARED_STATEMENTS`) and the programs they start: every statement the API names stays
 * named through the pooler, and a statement the pooler lost would fail the test.
 *
 * `later` in the list adds a run of the files that write calendar days (the data API's, the cookable walk,
 * the bounds, the row-level security and fuzz files) with the tests and the server ten years from today
 * (libfaketime's `LD_PRELOAD`): a test that dated food near the day it was written fails there, not in
 * CI on the day the calendar catches up. Without libfaketime (Debian's `faketime`) the pass is skipped
 * with the reason, or fails with `FOODSAVE_TEST_REQUIRE_COMPONENTS=1`.
 *
 * `schema` in the list adds a run of the whole suite with the library in schema `foodsave` instead of
 * `public` (`TEST_DATABASE_SCHEMA=foodsave`), next to a host's own `public.users` table, on the default major.
 *
 * The streaming-replication tests (their own PostgreSQL 15 cluster) run in the default major's pass only.
 * The query-plan tests (1M pantry rows, about a minute) run once per major but not again in the
 * own-schema pass: that pass is the default major's server again, and its plans are those of the
 * default pass (the same statements, qualified by another schema name).
 *
 * Each run gets `TEST_PG_MAJOR=<major>` and prints a header first; at the end one line per major and a
 * total `N passed, N failed, N skipped` line. The exit status is non-zero when any run failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEFAULT_PG_MAJOR, embeddedMajors } from './postgres-server.js';
import { findLibfaketime, LIBFAKETIME_MISSING, shiftedClockEnv, SHIFT_DAYS } from './shifted-clock.js';

const require = createRequire(import.meta.url);
const vitestCli = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const vitestArgs = ['run', ...process.argv.slice(2)];

let current: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;
// Ctrl-C reaches the vitest run too (same process group) and it ends by itself; SIGTERM (a CI timeout)
// may reach only this process, so it is passed on. Either way no further major starts.
process.on('SIGINT', () => {
  interrupted = 'SIGINT';
});
process.on('SIGTERM', () => {
  interrupted = 'SIGTERM';
  current?.kill('SIGTERM');
});

/** The files that exercise the public data API only; the others test direct-connection behaviour. */
const POOLED_FILES = [
  'base-repository', 'catalog-and-receipts-domain', 'catalog-repositories', 'conversation-repository', 'example',
  'food-model-properties', 'food-model-regressions', 'health', 'host-service', 'metrics', 'models', 'pantry-ledger',
  'receipt-repository', 'recipes-and-plans-domain', 'schema', 'user-data-export', 'user-repository', 'user-scope-isolation',
].map((name) => `test/${name}.test.ts`);

/**
 * The files whose calendar days (lots, plans, receipts, reports, `asOf`) the library or the server
 * compares with today. The `later` pass runs them ten years on. In the other files a date is data carried
 * through (a backup, a receipt through PgBouncer, a validation case) or the allocator's explicit `day`, or
 * there is none; some of them time the server's own timers (statement_timeout,
 * client_connection_check_interval) or start programs (pg_dump over TLS) that a moved clock would confuse
 * with no date involved.
 */
const CALENDAR_FILES = [
  ...POOLED_FILES,
  ...['cookable-walk', 'cookable-walk-bounds', 'error-contract-fuzz', 'input-bounds', 'row-level-security', 'row-scope-bypass'].map((name) => `test/${name}.test.ts`),
];

/**
 * The streaming-replication files start their own cluster from Debian's PostgreSQL 15, whatever the run's
 * major, so they run once: in the default major's pass (or a plain `npm test`), not again in each other pass.
 */
const REPLICATION_FILES = ['test/replication.test.ts', 'test/replication-cluster.test.ts'];
const onlyOnce = REPLICATION_FILES.flatMap((file) => ['--exclude', file]);
/** What the own-schema pass leaves to the default major's pass: the replication files and the query plans. */
const notInSchemaPass = [...onlyOnce, '--exclude', 'test/query-plans.test.ts'];

/** A pass besides the majors: its header, its line in the summary, and what its vitest run gets. */
interface Pass {
  title: string;
  label: string;
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Why the pass cannot run on this machine, if it cannot. */
  missing?(): string | undefined;
  files: string[];
  extra: string[];
}

/** Behind PgBouncer in transaction mode; the prepared-statement mode only where the pass sets it. */
function pooled(release: 'debian' | 'tracking', named: Record<string, string>) {
  return (base: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const { DATABASE_PREPARED_STATEMENTS: _a, TEST_DATABASE_PREPARED_STATEMENTS: _b, ...env } = base;
    return { ...env, ...named, TEST_VIA_PGBOUNCER: 'transaction', TEST_PGBOUNCER_RELEASE: release };
  };
}

const PASSES: Record<'pgbouncer' | 'pgbouncer-prepared' | 'schema' | 'later', Pass> = {
  pgbouncer: {
    title: 'The data API through PgBouncer (TEST_VIA_PGBOUNCER=transaction)',
    label: 'through PgBouncer',
    env: pooled('debian', {}),
    files: POOLED_FILES,
    extra: [],
  },
  'pgbouncer-prepared': {
    title: 'The data API through PgBouncer 1.22+, statements named (TEST_PGBOUNCER_RELEASE=tracking)',
    label: 'through PgBouncer 1.22+, named',
    env: pooled('tracking', { TEST_DATABASE_PREPARED_STATEMENTS: 'on', DATABASE_PREPARED_STATEMENTS: 'on' }),
    files: POOLED_FILES,
    extra: [],
  },
  schema: {
    title: 'The whole suite in schema foodsave (TEST_DATABASE_SCHEMA=foodsave)',
    label: 'in schema foodsave',
    env: (base) => ({ ...base, TEST_DATABASE_SCHEMA: 'foodsave', DATABASE_SCHEMA: 'foodsave' }),
    files: [],
    extra: notInSchemaPass,
  },
  later: {
    title: `The calendar's tests ${SHIFT_DAYS} days from today (libfaketime, for the tests and the server)`,
    label: 'ten years on',
    env: (base) => shiftedClockEnv(findLibfaketime()!, base),
    missing: () => (findLibfaketime() ? undefined : LIBFAKETIME_MISSING),
    files: CALENDAR_FILES,
    extra: [],
  },
};

/** One vitest run: a major, or one of the passes. */
type Target = number | keyof typeof PASSES;
const isPass = (target: string | number): target is keyof typeof PASSES => Object.hasOwn(PASSES, target);

interface Run {
  code: number;
  counts?: { passed: number; failed: number; skipped: number };
}

/** Runs vitest; with `collect`, echoes its output and reads the summary reporter's closing line. */
function vitest(env: NodeJS.ProcessEnv, collect: boolean, files: string[] = [], extra: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitestCli, ...vitestArgs, ...extra, ...files], {
      env: collect && process.stdout.isTTY && env.FORCE_COLOR === undefined ? { ...env, FORCE_COLOR: '1' } : env,
      stdio: ['inherit', collect ? 'pipe' : 'inherit', 'inherit'],
    });
    current = child;
    let tail = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on('error', (error) => {
      console.error(`cannot run vitest: ${error.message}`);
      resolve({ code: 1 });
    });
    child.on('close', (code, signal) => {
      current = undefined;
      // eslint-disable-next-line no-control-regex
      const plain = tail.replace(/\u001b\[[0-9;]*m/g, '');
      const match = [...plain.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].pop();
      resolve({
        code: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1),
        ...(match ? { counts: { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3]) } } : {}),
      });
    });
  });
}

/** A pass whose component is missing: skipped with the reason, or failed where every component is required. */
function cannotRun(pass: Pass, missing: string): Run {
  const required = process.env.FOODSAVE_TEST_REQUIRE_COMPONENTS === '1';
  console.log(`[foodsave-db tests] ${pass.label}: ${required ? 'FAILED, required here (FOODSAVE_TEST_REQUIRE_COMPONENTS=1) but' : 'skipped,'} ${missing}`);
  return required ? { code: 1, counts: { passed: 0, failed: 1, skipped: 0 } } : { code: 0, counts: { passed: 0, failed: 0, skipped: 1 } };
}

const labelOf = (target: Target) => (isPass(target) ? PASSES[target].label : `PostgreSQL ${target}`);

function requestedMajors(): Target[] | undefined {
  const raw = process.env.TEST_PG_MAJORS?.trim();
  if (!raw) return undefined;
  const installed = embeddedMajors();
  if (raw === 'all') return installed;
  const majors = raw.split(',').map((part) => part.trim()).filter(Boolean);
  const wrong = majors.filter((m) => !isPass(m) && (!/^\d+$/.test(m) || !installed.includes(Number(m))));
  if (wrong.length > 0 || majors.length === 0) {
    throw new Error(
      `TEST_PG_MAJORS=${raw}: ${wrong.length ? `${wrong.join(', ')} not installed` : 'no major given'}. ` +
        `Installed embedded majors: ${installed.join(', ') || 'none'} (or TEST_PG_MAJORS=all).`,
    );
  }
  return [...new Set(majors.map((m) => (isPass(m) ? m : Number(m))))];
}

async function main(): Promise<number> {
  let majors: Target[] | undefined;
  try {
    majors = requestedMajors();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (!majors) return (await vitest(process.env, false)).code;
  if (process.env.TEST_DATABASE_URL) {
    console.error('TEST_PG_MAJORS is set, but so is TEST_DATABASE_URL: every run would use that one server. Unset one of them.');
    return 2;
  }

  const results: Array<{ major: Target; run: Run; seconds: number }> = [];
  for (const major of majors) {
    if (interrupted) break;
    const started = Date.now();
    let run: Run;
    if (isPass(major)) {
      const pass = PASSES[major];
      console.log(`\n${'='.repeat(24)} ${pass.title} ${'='.repeat(24)}\n`);
      const missing = pass.missing?.();
      run = missing ? cannotRun(pass, missing) : await vitest(pass.env(process.env), true, pass.files, pass.extra);
    } else {
      console.log(`\n${'='.repeat(24)} PostgreSQL ${major} (TEST_PG_MAJOR=${major}) ${'='.repeat(24)}\n`);
      run = await vitest({ ...process.env, TEST_PG_MAJOR: String(major) }, true, [], major === DEFAULT_PG_MAJOR ? [] : onlyOnce);
    }
    results.push({ major, run, seconds: Math.round((Date.now() - started) / 1000) });
  }

  console.log(`\n${'='.repeat(24)} PostgreSQL majors ${'='.repeat(24)}`);
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const { major, run, seconds } of results) {
    const c = run.counts;
    if (c) {
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
    } else if (run.code !== 0) {
      total.failed += 1;
    }
    const counts = c ? `${c.passed} passed / ${c.failed} failed / ${c.skipped} skipped` : 'no test summary';
    console.log(`  ${labelOf(major)}: ${run.code === 0 ? 'ok' : `FAILED (exit ${run.code})`}, ${counts}, ${seconds} s`);
  }
  const skippedMajors = majors.slice(results.length);
  if (skippedMajors.length) console.log(`  not run (interrupted by ${interrupted}): ${skippedMajors.join(', ')}`);
  const failedMajors = results.filter((r) => r.run.code !== 0).map((r) => r.major);
  console.log(`  ${failedMajors.length ? `failed: ${failedMajors.map(labelOf).join(', ')}` : 'every run passed'}`);
  console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  if (interrupted) return 130;
  return failedMajors.length || skippedMajors.length ? 1 : 0;
}

process.exitCode = await main();
