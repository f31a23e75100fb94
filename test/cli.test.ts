import { describe, expect, inject, it } from 'vitest';
import { migrations } from '../src/entries/migrations.js';
import { componentMissing, pgToolsMissingReason, serverMajor } from './support/components.js';
import { runCli } from './support/run-cli.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'cli', migrate: false });
const names = migrations.map((m) => m.name);

describe('foodsave-db migrate', () => {
  it('prints help with exit 0, and usage errors with exit 2', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('migrate up [--to NAME]');
    expect((await runCli([])).code).toBe(2);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect((await runCli(['migrate', 'sideways'], { DATABASE_URL: t.url })).code).toBe(2);
    expect((await runCli(['migrate', 'up', '--bogus'])).code).toBe(2);
  });

  it('fails with exit 1 and a ConfigError when DATABASE_URL is missing or bad, never printing the password', async () => {
    const missing = await runCli(['migrate', 'status']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CONFIG_INVALID');
    expect(missing.stderr).toContain('DATABASE_URL is required');
    const bad = await runCli(['migrate', 'status'], { DATABASE_URL: 'mysql://u:topsecret@h/db' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toContain('topsecret');
  });

  it('runs up, status, down and up again against DATABASE_URL', async () => {
    const env = { DATABASE_URL: t.url };
    expect(names).toHaveLength(8);
    expect(names.at(-1)).toBe('0008-recipe-ingredients-by-product');
    const pending = await runCli(['migrate', 'status'], env);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain(`pending  ${names[0]}`);

    const up = await runCli(['migrate', 'up'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toBe(names.map((n) => `applied ${n}\n`).join(''));
    expect((await runCli(['migrate', 'up'], env)).stdout).toBe('nothing to apply\n');

    const status = await runCli(['migrate', 'status', '--json'], env);
    const parsed = JSON.parse(status.stdout) as { executed: { name: string }[]; pending: string[] };
    expect(parsed.executed.map((e) => e.name)).toEqual(names);
    expect(parsed.pending).toEqual([]);

    const down = await runCli(['migrate', 'down'], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`reverted ${names.at(-1)}\n`);
    await runCli(['migrate', 'up'], env);
    const all = await runCli(['migrate', 'down', '--all'], env);
    expect(all.stdout).toBe([...names].reverse().map((n) => `reverted ${n}\n`).join(''));
    expect((await runCli(['migrate', 'down'], env)).stdout).toBe('nothing to revert\n');
  });

  it('exits 1 when it cannot reach the server', async () => {
    const r = await runCli(['migrate', 'up'], { DATABASE_URL: 'postgres://u:pw-xyz@127.0.0.1:1/db' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MIGRATION_FAILED: Cannot connect/);
    expect(r.stderr).not.toContain('pw-xyz');
  });
});

const major = serverMajor(inject('serverVersionNum'));
const noTools = componentMissing(`pg_dump/pg_restore for PostgreSQL ${major}`, await pgToolsMissingReason(major));

describe.skipIf(noTools)('foodsave-db backup and health', () => {
  it('creates, lists, verifies, restores and prunes backups, and checks health', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'foodsave-cli-backup-'));
    const env = { DATABASE_URL: t.url };
    try {
      await runCli(['migrate', 'up'], env);
      const health = await runCli(['health', '--json'], env);
      expect(health.code).toBe(0);
      expect(JSON.parse(health.stdout)).toMatchObject({ status: 'healthy', pendingMigrations: 0 });

      const created = await runCli(['backup', 'create', '--dir', dir], env);
      expect(created.code, created.stderr).toBe(0);
      const file = created.stdout.split('\n')[0]!;
      expect(file).toMatch(/backup_\d{8}_\d{6}(_\d+)?\.dump$/);
      expect(created.stdout).toMatch(/sha256 [0-9a-f]{64}/);
      await runCli(['backup', 'create', '--dir', dir], env);

      const list = await runCli(['backup', 'list', '--dir', dir, '--json'], env);
      expect((JSON.parse(list.stdout) as unknown[]).length).toBe(2);
      const verify = await runCli(['backup', 'verify', file], env);
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/^ok: \d+ tables match the manifest/);
      const restore = await runCli(['backup', 'restore', file, '--clean'], env);
      expect(restore.code, restore.stderr).toBe(0);
      const prune = await runCli(['backup', 'prune', '--keep', '1', '--dir', dir], env);
      expect(prune.stdout).toBe(`removed ${file}\n`);

      expect((await runCli(['backup', 'prune', '--dir', dir], env)).code).toBe(2);
      expect((await runCli(['backup', 'restore'], env)).code).toBe(2);
      expect((await runCli(['backup', 'restore', `${dir}/missing.dump`], env)).code).toBe(1);
      const down = await runCli(['health'], { DATABASE_URL: 'postgres://u:pw-zz@127.0.0.1:1/db' });
      expect(down.code).toBe(1);
      expect(down.stdout).toMatch(/^unhealthy/);
      expect(down.stdout).not.toContain('pw-zz');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
