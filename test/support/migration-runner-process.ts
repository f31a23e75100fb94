import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'run-migrations.mjs');

/**
 * Runs the built library's migrations in a separate process against `url`, as a host service does at
 * startup. `slow` adds a migration that sleeps `seconds` after creating a table.
 */
export function runMigrationsInProcess(url: string, mode: 'library' | 'slow' = 'library', seconds = 60) {
  const child = spawn(process.execPath, [fixture, mode, String(seconds)], {
    env: { ...process.env, TARGET_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
