import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from './test-database.js';

/** The built command, `dist/cli.js`. */
export const cliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit. */
  ms: number;
}

/**
 * Runs the built `foodsave-db` command, as a user would. Its stdin is not a terminal: `input`, if given,
 * is written to it and closed, else it reads nothing.
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, options: { input?: string } = {}): Promise<CliResult> {
  return run(process.execPath, [cliPath, ...args], env, options.input);
}

/**
 * Why the command cannot be run on a pseudo-terminal here (util-linux `script` is missing), or
 * undefined when it can.
 */
export const terminalMissingReason: string | undefined =
  spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'script(1) from util-linux is not installed (Debian: bsdutils)';

/**
 * Runs the built command on a pseudo-terminal (`script -qec`), so its stdin is a TTY, typing `input`.
 * The terminal merges stdout and stderr (with CR LF line ends) into `stdout`.
 */
export function runCliOnTerminal(args: string[], input: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, cliPath, ...args].map(quote).join(' ');
  return run('script', ['-qec', command, '/dev/null'], env, input);
}

function run(file: string, args: string[], env: Record<string, string | undefined>, input: string | undefined): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      // Only what a host's shell would have for the command: PATH, where its PostgreSQL tools are, and
      // the run's schema (DATABASE_SCHEMA in the own-schema pass).
      env: { PATH: process.env.PATH, PG_BIN_DIR: process.env.PG_BIN_DIR, ...testEnv, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    if (input !== undefined) child.stdin!.end(input);
  });
}
