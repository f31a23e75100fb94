/**
 * The packed tarball, as a host installs it with the README's install line
 * (`npm install foodsave-db sequelize pg pg-hstore`):
 * - imported from ESM and CommonJS, the command installed, nothing done on import;
 * - strict TypeScript: every entry point's published `.d.ts` type-checks with `strict` and
 *   `skipLibCheck: false` after that install line alone, and the metrics entry points once their
 *   optional peers are installed too;
 * - bundlers: the README's quick start, with the Prometheus and OpenTelemetry helpers, bundled by esbuild
 *   as the README says (ESM single file with a `require` banner, ESM with the packages external, CJS
 *   single file from `import` and from `require`) runs against a fresh database. The single files run
 *   from a folder where none of the packages can be found, so prom-client is found inside the bundle.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/migrations/index.js';
import { createTestDatabase, testEnv, useTestDatabase } from './support/test-database.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const t = useTestDatabase({ label: 'package', migrate: false });
const migrationNames = migrations.map((m) => m.name);

/** Entry points whose types name optional peers; every other entry point must type-check without them. */
const PEER_ENTRIES: Record<string, string[]> = {
  './prometheus': ['prom-client'],
  './opentelemetry': ['@opentelemetry/api', '@opentelemetry/sdk-metrics'],
};
const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
const specifier = (subpath: string) => (subpath === '.' ? 'foodsave-db' : `foodsave-db/${subpath.slice(2)}`);

/** The README's install line, run in `scratch`: the tarball and the three required peers. */
let scratch: string;
/** scratch's packages plus the optional peers (symlinks to the repository's; foodsave-db itself copied). */
let withPeers: string;
/** A folder from which none of the packages resolve: the single-file bundles run here. */
let bare: string;
let files: string[];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not a rejection. */
async function attempt(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr || e.message };
  }
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** Strict consumers' `tsc --noEmit`, started as soon as the installs are ready. */
let strictReadme: Promise<Outcome>;
let strictWithPeers: Promise<Outcome>;

/** A strict consumer: ESM (.mts) and CJS (.cts) files importing each given entry point. */
function writeStrictConsumer(dir: string, entries: string[], extraEsm = ''): void {
  const esm = entries.map((s, i) => `import * as e${i} from '${specifier(s)}';`);
  const cjs = entries.map((s, i) => `import e${i} = require('${specifier(s)}');`);
  const used = `export const entries = [${entries.map((_, i) => `e${i}`).join(', ')}];\n`;
  writeFileSync(path.join(dir, 'consumer.mts'), `${esm.join('\n')}\n${used}${extraEsm}`);
  writeFileSync(path.join(dir, 'consumer.cts'), `${cjs.join('\n')}\n${used}`);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2022'],
        noEmit: true,
      },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'foodsave-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = info!.files.map((f) => f.path).sort();
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  // Exactly the README's install line, with the tarball for foodsave-db.
  await run(
    'npm',
    ['install', path.join(scratch, info!.filename), 'sequelize', 'pg', 'pg-hstore', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    { cwd: scratch },
  );

  // The same install plus the optional peers, without a second npm run: symlinks to scratch's packages and
  // to the repository's peers. foodsave-db is copied, so its imports resolve from this node_modules.
  withPeers = mkdtempSync(path.join(tmpdir(), 'foodsave-peers-'));
  const modules = path.join(withPeers, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(scratch, 'node_modules'))) {
    if (name === 'foodsave-db') cpSync(path.join(scratch, 'node_modules', name), path.join(modules, name), { recursive: true });
    else if (!name.startsWith('.')) symlinkSync(path.join(scratch, 'node_modules', name), path.join(modules, name));
  }
  for (const peer of Object.values(PEER_ENTRIES).flat()) {
    mkdirSync(path.dirname(path.join(modules, peer)), { recursive: true });
    symlinkSync(path.join(root, 'node_modules', peer), path.join(modules, peer));
  }
  writeFileSync(path.join(withPeers, 'package.json'), JSON.stringify({ name: 'host', private: true }));

  bare = mkdtempSync(path.join(tmpdir(), 'foodsave-bare-'));

  const readme = mkdtempSync(path.join(scratch, 'strict-'));
  writeStrictConsumer(readme, subpaths.filter((s) => !PEER_ENTRIES[s]));
  const peers = mkdtempSync(path.join(withPeers, 'strict-'));
  writeStrictConsumer(
    peers,
    subpaths,
    `
import { Registry } from 'prom-client';
import { metrics } from '@opentelemetry/api';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { instrument } from 'foodsave-db/ops';
import { createEngine } from 'foodsave-db';
import { createPrometheusMetrics } from 'foodsave-db/prometheus';
import { createOpenTelemetryMetricProducer, createOpenTelemetryMetrics } from 'foodsave-db/opentelemetry';
const engine = createEngine({ url: 'postgres://localhost/host' });
instrument(engine, createPrometheusMetrics({ registry: new Registry() }));
instrument(engine, createOpenTelemetryMetrics({ meter: metrics.getMeter('host') }));
const otel = createOpenTelemetryMetricProducer();
instrument(engine, otel.hooks);
export const provider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), metricProducers: [otel.producer] })],
});
`,
  );
  strictReadme = attempt(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: readme });
  strictWithPeers = attempt(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: peers });
}, 300_000);

afterAll(async () => {
  // Let a type-check still running end before its folder goes.
  await Promise.allSettled([strictReadme, strictWithPeers]);
  for (const dir of [scratch, withPeers, bare]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the published package', () => {
  it('holds dist, README, CHANGELOG and LICENSE only', () => {
    const outside = files.filter((f) => !f.startsWith('dist/') && !['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json'].includes(f));
    expect(outside).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli.js']));
  });

  it('imports from ESM and runs migrations', async () => {
    const code = `
      import { createEngine, runMigrations, ValidationError } from 'foodsave-db';
      const engine = createEngine({ url: process.env.TARGET_URL, env: JSON.parse(process.env.TARGET_ENV) });
      const applied = await runMigrations(engine);
      await engine.close();
      console.log(JSON.stringify({ applied, isClass: typeof ValidationError }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
      cwd: scratch,
      env: { ...process.env, TARGET_URL: t.url, TARGET_ENV: JSON.stringify(testEnv) },
    });
    expect(JSON.parse(stdout)).toEqual({ applied: migrationNames, isClass: 'function' });
  });

  it('requires from CommonJS and reads the migration status', async () => {
    const code = `
      const { createEngine, migrationStatus } = require('foodsave-db');
      const engine = createEngine({ url: process.env.TARGET_URL, env: JSON.parse(process.env.TARGET_ENV) });
      migrationStatus(engine).then(async (s) => { await engine.close(); console.log(JSON.stringify(s.pending)); });`;
    const { stdout } = await run(process.execPath, ['-e', code], {
      cwd: scratch,
      env: { ...process.env, TARGET_URL: t.url, TARGET_ENV: JSON.stringify(testEnv) },
    });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('installs the foodsave-db command', async () => {
    const { stdout } = await run(path.join(scratch, 'node_modules', '.bin', 'foodsave-db'), ['--version'], { cwd: scratch });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('does nothing on import: no connection, no timer, no output', async () => {
    const probe = (load: string) => `process.stdout; process.stderr; ${load}; console.log(process.getActiveResourcesInfo().join(','));`;
    const baseline = await run(process.execPath, ['-e', probe('')], { cwd: scratch });
    const requireAll = subpaths
      .filter((s) => !PEER_ENTRIES[s])
      .map((s) => `require('${specifier(s)}')`)
      .join('; ');
    const loaded = await run(process.execPath, ['-e', probe(requireAll)], { cwd: scratch });
    expect(loaded.stdout).toBe(baseline.stdout);
    expect(loaded.stderr).toBe('');
  });
});

describe('strict TypeScript (strict, skipLibCheck: false, NodeNext)', () => {
  it("every entry point without optional peers type-checks after the README's install line alone", async () => {
    const entries = subpaths.filter((s) => !PEER_ENTRIES[s]);
    expect(entries).toEqual(expect.arrayContaining(['.', './ops', './models', './migrations', './schemas']));
    // Not vacuous: the install line brought none of the optional peers.
    const fromScratch = createRequire(path.join(scratch, 'probe.js'));
    for (const peer of Object.values(PEER_ENTRIES).flat()) expect(() => fromScratch.resolve(peer), peer).toThrow();
    const { code, stdout, stderr } = await strictReadme;
    expect(stdout + stderr).toBe('');
    expect(code).toBe(0);
  }, 180_000);

  it('the metrics entry points type-check, and take the peers’ objects, once their peers are installed', async () => {
    expect(Object.keys(PEER_ENTRIES).every((s) => subpaths.includes(s))).toBe(true);
    const { code, stdout, stderr } = await strictWithPeers;
    expect(stdout + stderr).toBe('');
    expect(code).toBe(0);
  }, 180_000);
});

describe('bundled by esbuild', () => {
  // The README's quick start, with the Prometheus and OpenTelemetry helpers. A callback, not top-level
  // await, so the same source bundles to CJS.
  const body = `
async function main() {
  const engine = createEngine();
  const registry = new Registry();
  instrument(engine, createPrometheusMetrics({ registry }));
  const otel = createOpenTelemetryMetricProducer();
  instrument(engine, otel.hooks);
  const applied = await runMigrations(engine);
  const db = createFoodsave(engine);
  const ana = await db.admin.users.create({ username: 'ana', email: 'ana@example.com' });
  const me = db.forUser(ana.id);
  const chat = await me.conversations.create({ sessionId: 'web-1' });
  await me.conversations.addMessage(chat.id, { content: 'I have spinach that goes off tomorrow.', role: 'user' });
  const context = await me.conversations.getContextWindow(chat.id, 20);
  const text = await registry.metrics();
  const { resourceMetrics } = await otel.producer.collect();
  await engine.close();
  console.log(JSON.stringify({
    applied,
    messages: context.map((m) => m.content),
    prometheusInserts: Number(/^database_queries_total\\{type="insert"\\} (\\d+)$/m.exec(text)?.[1] ?? 0),
    otelSeries: resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints.length ?? 0,
  }));
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`;
  const esmSource = `import { createEngine, createFoodsave, runMigrations } from 'foodsave-db';
import { instrument } from 'foodsave-db/ops';
import { createPrometheusMetrics } from 'foodsave-db/prometheus';
import { createOpenTelemetryMetricProducer } from 'foodsave-db/opentelemetry';
import { Registry } from 'prom-client';
${body}`;
  const cjsSource = `const { createEngine, createFoodsave, runMigrations } = require('foodsave-db');
const { instrument } = require('foodsave-db/ops');
const { createPrometheusMetrics } = require('foodsave-db/prometheus');
const { createOpenTelemetryMetricProducer } = require('foodsave-db/opentelemetry');
const { Registry } = require('prom-client');
${body}`;
  // The README's banner. createRequire under an alias: a bundled module may import createRequire itself,
  // and esbuild cannot see the banner's names to keep clear of them ("Identifier 'createRequire' has
  // already been declared").
  const REQUIRE_BANNER = "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

  const variants: Array<{ name: string; source: 'app.ts' | 'app.cjs'; options: esbuild.BuildOptions; singleFile: boolean }> = [
    { name: 'ESM, one file, with the require banner', source: 'app.ts', options: { format: 'esm', banner: { js: REQUIRE_BANNER } }, singleFile: true },
    { name: 'ESM, packages external', source: 'app.ts', options: { format: 'esm', packages: 'external' }, singleFile: false },
    { name: 'CJS, one file, from import', source: 'app.ts', options: { format: 'cjs' }, singleFile: true },
    { name: 'CJS, one file, from require', source: 'app.cjs', options: { format: 'cjs' }, singleFile: true },
  ];

  beforeAll(() => {
    writeFileSync(path.join(withPeers, 'app.ts'), esmSource);
    writeFileSync(path.join(withPeers, 'app.cjs'), cjsSource);
  });

  for (const [i, variant] of variants.entries()) {
    it(`${variant.name}: runs the quick start, and createPrometheusMetrics finds prom-client`, async () => {
      const extension = variant.options.format === 'esm' ? 'mjs' : 'cjs';
      const outfile = path.join(withPeers, 'out', `bundle-${i}.${extension}`);
      const result = await esbuild.build({
        absWorkingDir: withPeers,
        entryPoints: [variant.source],
        bundle: true,
        platform: 'node',
        target: 'node20',
        outfile,
        logLevel: 'silent',
        ...variant.options,
      });
      // Nothing the host has to silence: in particular no `import.meta` left empty by a CJS bundle.
      expect(result.errors).toEqual([]);
      expect(result.warnings.map((w) => `${w.text} (${w.location?.file ?? '?'})`)).toEqual([]);

      let bundle = outfile;
      if (variant.singleFile) {
        bundle = path.join(bare, path.basename(outfile));
        cpSync(outfile, bundle);
        // The single file must carry everything: from its folder no package resolves.
        const fromBare = createRequire(path.join(bare, 'probe.js'));
        for (const name of ['foodsave-db', 'sequelize', 'pg', 'prom-client', '@opentelemetry/api']) expect(() => fromBare.resolve(name), name).toThrow();
      }

      const db = await createTestDatabase(`bundle_${i}`);
      try {
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DATABASE_')));
        const { code, stdout, stderr } = await attempt(process.execPath, [bundle], {
          cwd: path.dirname(bundle),
          env: { ...env, ...testEnv, DATABASE_URL: db.url },
        });
        expect(code, stderr).toBe(0);
        const report = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
        expect(report).toEqual({
          applied: migrationNames,
          messages: ['I have spinach that goes off tomorrow.'],
          prometheusInserts: expect.any(Number),
          otelSeries: expect.any(Number),
        });
        expect(report.prometheusInserts).toBeGreaterThanOrEqual(3);
        expect(report.otelSeries).toBeGreaterThan(0);
      } finally {
        await db.drop();
      }
    }, 120_000);
  }
});
