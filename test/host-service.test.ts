import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/test-database.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t = useTestDatabase({ label: 'host_service', migrate: false });

describe('examples/host-service.ts', () => {
  it('migrates at startup, serves /health and /metrics, and closes the pool on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/host-service.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /listening on (\d+)/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'healthy', pendingMigrations: 0, conversationCount: 0 });
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('database_queries_total{type="select"}');
      expect(text).toContain('database_connections_active 0');
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('pool closed, bye');
    expect(stdout).toContain('migrated');
  });
});
