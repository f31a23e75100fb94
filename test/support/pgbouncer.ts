/**
 * A real PgBouncer, started for a test on a free port on 127.0.0.1, with its defaults: in particular it
 * refuses unknown startup parameters such as `options`, as deployed poolers do. Two releases:
 * - Debian 12's (1.18), which keeps no named prepared statement across transactions;
 * - 1.22 or later, which tracks them in transaction mode (`max_prepared_statements`) and forwards Close,
 *   from Debian sid (`bash .ci/install-from-sid.sh pgbouncer`, which `.ci/run` runs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { startReaper } from './postgres-server.js';
import { chownForServer, postgresSystemUser } from './system-user.js';

const BINARIES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];
/** `TEST_PGBOUNCER_TRACKING_BIN`, or where `.ci/install-from-sid.sh pgbouncer` puts PgBouncer 1.22+ (as root, or not). */
const TRACKING_BINARIES = [
  process.env.TEST_PGBOUNCER_TRACKING_BIN,
  '/opt/foodsave-pgbouncer/bin/pgbouncer',
  path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'foodsave-pgbouncer/bin/pgbouncer'),
];
/** How many named statements PgBouncer 1.21+ keeps per connection in these tests. */
const MAX_PREPARED_STATEMENTS = 200;

/** Which PgBouncer: Debian 12's 1.18, or 1.22+ tracking named prepared statements. */
export type PgBouncerRelease = 'debian' | 'tracking';

export interface PgBouncer {
  /** A URL with the server URL's user and password, through PgBouncer, for any database. */
  url(database: string): string;
  version: string;
  poolMode: 'session' | 'transaction';
  stop(): Promise<void>;
}

function binary(release: PgBouncerRelease): string | undefined {
  return (release === 'debian' ? BINARIES : TRACKING_BINARIES).find((b) => b !== undefined && existsSync(b));
}

/** Why this PgBouncer cannot be started here, or undefined when it can. */
export function pgbouncerMissingReason(release: PgBouncerRelease = 'debian'): string | undefined {
  if (binary(release)) return undefined;
  return release === 'debian'
    ? 'pgbouncer is not installed (Debian: apt-get install pgbouncer)'
    : 'PgBouncer 1.22+ is not installed (bash .ci/install-from-sid.sh pgbouncer, or set TEST_PGBOUNCER_TRACKING_BIN)';
}

export async function startPgBouncer(options: {
  serverUrl: string;
  poolMode: 'session' | 'transaction';
  defaultPoolSize?: number;
  maxClientConn?: number;
  /** More logins PgBouncer accepts besides the server URL's (the tests' owner and application roles). */
  extraUsers?: readonly { user: string; password: string }[];
  /** Default `debian`; `tracking` runs 1.22+ with `max_prepared_statements` 200. */
  release?: PgBouncerRelease;
}): Promise<PgBouncer> {
  const release = options.release ?? 'debian';
  const bin = binary(release);
  if (!bin) throw new Error(pgbouncerMissingReason(release));
  const dir = mkdtempSync(path.join(tmpdir(), 'foodsave-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeConfig(dir, port, options);
  chownForServer([dir, path.join(dir, 'userlist.txt'), path.join(dir, 'pgbouncer.ini')]);
  const ids = postgresSystemUser();
  // Whatever ends this process (a signal, SIGKILL), the reaper stops PgBouncer and removes its folder.
  const reaper = startReaper(dir);
  const child: ChildProcess = spawn(bin, [path.join(dir, 'pgbouncer.ini')], { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid) reaper.tell(child.pid);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8192)));
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    reaper.dismiss();
  };
  process.once('exit', cleanup);
  try {
    await waitUntilListening(port, child, () => `${stderr}\n${readLog(dir)}`);
  } catch (error) {
    cleanup();
    process.removeListener('exit', cleanup);
    throw error;
  }
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  const version = (execFileSync(bin, ['--version']).toString().split('\n')[0] ?? '').replace(/^PgBouncer\s*/, '');
  let stopped: Promise<void> | undefined;
  return {
    version,
    poolMode: options.poolMode,
    url(database: string) {
      const u = new URL(options.serverUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.pathname = `/${database}`;
      return u.toString();
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGINT');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(killer);
        }
        process.removeListener('exit', cleanup);
        rmSync(dir, { recursive: true, force: true });
        reaper.dismiss();
      })()),
  };
}

/** PgBouncer's ini and user list in `dir`: every database of the server, one pool mode, scram logins. */
function writeConfig(dir: string, port: number, options: Parameters<typeof startPgBouncer>[0]): void {
  const server = new URL(options.serverUrl);
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const logins = [{ user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) }, ...(options.extraUsers ?? [])];
  writeFileSync(path.join(dir, 'userlist.txt'), logins.map((l) => `${quote(l.user)} ${quote(l.password)}\n`).join(''), { mode: 0o600 });
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.defaultPoolSize ?? 20}`,
      `max_client_conn = ${options.maxClientConn ?? 200}`,
      ...(options.release === 'tracking' ? [`max_prepared_statements = ${MAX_PREPARED_STATEMENTS}`] : []),
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8');
  } catch {
    return '';
  }
}

async function waitUntilListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with code ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`pgbouncer did not listen within 15 s:\n${log()}`);
}
