import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/test-database.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t = useTestDatabase({ label: 'package', migrate: false });
let scratch: string;
let files: string[];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'foodsave-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  files = info!.files.map((f) => f.path).sort();
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  // The host installs the tarball; npm brings the peers (sequelize, pg, pg-hstore) as a host app would have them.
  await run('npm', ['install', path.join(scratch, info!.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: scratch,
  });
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
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
      const engine = createEngine({ url: process.env.TARGET_URL, env: {} });
      const applied = await runMigrations(engine);
      await engine.close();
      console.log(JSON.stringify({ applied, isClass: typeof ValidationError }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: scratch, env: { ...process.env, TARGET_URL: t.url } });
    expect(JSON.parse(stdout)).toEqual({ applied: ['0001-initial-schema', '0002-pantry-ledger', '0003-search-and-matching', '0004-same-owner-references', '0005-recipes-by-ingredient-count', '0006-date-kinds', '0007-exact-amounts', '0008-recipe-ingredients-by-product'], isClass: 'function' });
  });

  it('requires from CommonJS and reads the migration status', async () => {
    const code = `
      const { createEngine, migrationStatus } = require('foodsave-db');
      const engine = createEngine({ url: process.env.TARGET_URL, env: {} });
      migrationStatus(engine).then(async (s) => { await engine.close(); console.log(JSON.stringify(s.pending)); });`;
    const { stdout } = await run(process.execPath, ['-e', code], { cwd: scratch, env: { ...process.env, TARGET_URL: t.url } });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('installs the foodsave-db command', async () => {
    const { stdout } = await run(path.join(scratch, 'node_modules', '.bin', 'foodsave-db'), ['--version'], { cwd: scratch });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('does nothing on import: no connection, no timer, no output', async () => {
    const probe = (load: string) => `process.stdout; process.stderr; ${load}; console.log(process.getActiveResourcesInfo().join(','));`;
    const baseline = await run(process.execPath, ['-e', probe('')], { cwd: scratch });
    const loaded = await run(process.execPath, ['-e', probe("require('foodsave-db')")], { cwd: scratch });
    expect(loaded.stdout).toBe(baseline.stdout);
    expect(loaded.stderr).toBe('');
  });
});
