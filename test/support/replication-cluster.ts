/**
 * A real streaming-replication cluster for tests: one primary and two hot standbys made with
 * `pg_basebackup -R -X stream`, each its own server on a free port on 127.0.0.1, from Debian's
 * PostgreSQL 15 server binaries (`/usr/lib/postgresql/15/bin`, package `postgresql-15`; another folder
 * with postgres, initdb, pg_ctl and pg_basebackup through `TEST_REPLICATION_PG_BIN`).
 *
 *   const cluster = await startReplicationCluster();
 *   // write on cluster.primary.url, await cluster.waitForCatchUp(), read on cluster.standby1.url
 *   await cluster.stop();
 *
 * Layout of the temporary folder `<tmpdir>/foodsave-repl-XXXXXX` (0755, `owner` holds this pid):
 * - `<name>/` the data folder of each node (primary, standby1, standby2), 0700, owned by the `postgres`
 *   system user when this process is root (the servers, initdb, pg_ctl and pg_basebackup run as it);
 * - `<name>.log` each server's log (pg_ctl -l); errors quote its tail;
 * - `sock-<name>/` each server's Unix socket folder.
 *
 * Settings: the ones every node shares are appended to the primary's postgresql.conf before its first
 * start, so pg_basebackup copies them; that file ends with `include_if_exists = 'node.conf'`, which each
 * node has its own of (port, unix_socket_directories, cluster_name; on the primary also
 * synchronous_standby_names when asked for). A standby's walreceiver uses its cluster_name as
 * application_name, so the primary sees `standby1` and `standby2` in pg_stat_replication. A promoted
 * standby has no synchronous standby. `ALTER SYSTEM` (postgresql.auto.conf) wins over both files.
 *
 * Nothing is left behind, however the process ends (as for the embedded server of postgres-server.ts):
 * an 'exit' handler and SIGINT/SIGTERM/SIGHUP handlers stop the servers (SIGQUIT, an immediate shutdown)
 * and hand the folder to the reaper (`startReaper`), which also does all of it when this process is
 * SIGKILLed; each start removes `foodsave-repl-*` folders whose owner process is gone.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.js';
import { OWNER_FILE, processAlive, runsFrom, serverFolder, type Reaper } from './postgres-server.js';
import { guardProcess } from './process-guard.js';
import { postgresSystemUser } from './system-user.js';

export interface ClusterNode {
  name: string; // 'primary' | 'standby1' | 'standby2'
  port: number; // on 127.0.0.1
  /** Superuser URL: postgres://postgres:<pw>@127.0.0.1:<port>/postgres?sslmode=disable */
  url: string;
  dataDir: string;
  /** Whether the node's postmaster runs (its postmaster.pid names a live process). */
  running(): boolean;
  /** pg_ctl stop -m <mode> -w (default fast). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Start again on the same port; waits until it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl promote -w; resolves when it accepts writes. */
  promote(): Promise<void>;
  /** SELECT pg_wal_replay_pause() on this standby. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Point this standby at another node: rewrite primary_conninfo (ALTER SYSTEM on the standby, then pg_reload_conf()) and wait until its walreceiver streams from the new port (pg_stat_wal_receiver.sender_port). */
  followPrimary(primary: ClusterNode): Promise<void>;
}

export interface ReplicationCluster {
  primary: ClusterNode;
  standby1: ClusterNode;
  standby2: ClusterNode;
  password: string;
  /** A URL for `database` on `node` as user/password (default the superuser). */
  urlFor(node: ClusterNode, database: string, credentials?: { user: string; password: string }): string;
  /** Wait until every running standby has replayed the primary's current WAL position (poll pg_last_wal_replay_lsn() >= the primary's pg_current_wal_lsn(), timeout 15 s). `primary` defaults to cluster.primary. */
  waitForCatchUp(primary?: ClusterNode): Promise<void>;
  /** Stops every node and removes the temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Extra postgresql settings for every node. */
  settings?: Record<string, string>;
  /** When true, the primary has synchronous_standby_names = 'standby1' (standby1's walreceiver reports cluster_name 'standby1' as its application_name), synchronous_commit = on. Default false. */
  synchronousStandby1?: boolean;
}

/** Temporary folders of replication clusters: `<tmpdir>/foodsave-repl-XXXXXX`. */
export const REPLICATION_FOLDER_PREFIX = 'foodsave-repl-';

const DEFAULT_BIN = '/usr/lib/postgresql/15/bin';
const PROGRAMS = ['postgres', 'initdb', 'pg_ctl', 'pg_basebackup'] as const;
const NODE_NAMES = ['primary', 'standby1', 'standby2'] as const;

function binDir(): string {
  return process.env.TEST_REPLICATION_PG_BIN?.trim() || DEFAULT_BIN;
}

/** Why the cluster cannot be started here (binaries missing), or undefined when it can. */
export function replicationMissingReason(): string | undefined {
  const dir = binDir();
  const missing = PROGRAMS.filter((program) => !existsSync(path.join(dir, program)));
  if (missing.length === 0) return undefined;
  const hint = process.env.TEST_REPLICATION_PG_BIN?.trim()
    ? '(TEST_REPLICATION_PG_BIN)'
    : '(Debian: apt-get install postgresql-15, or set TEST_REPLICATION_PG_BIN to a folder with them)';
  return `no ${missing.join(', ')} in ${dir} ${hint}`;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  error?: Error;
}

/** Runs a program to its end without blocking the event loop; kills it after `timeoutMs`. */
function runToEnd(file: string, args: string[], options: SpawnOptions, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let error: Error | undefined;
    const timer = setTimeout(() => {
      error = new Error(`${path.basename(file)} did not finish within ${timeoutMs / 1000} s`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (e) => {
      error = e;
      if (child.pid === undefined) {
        clearTimeout(timer);
        resolve({ code: null, signal: null, output, error });
      }
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, ...(error ? { error } : {}) });
    });
  });
}

function describeFailure(what: string, result: Finished): string {
  const status = result.error?.message ?? `exit ${result.code ?? result.signal}`;
  return `${what} failed (${status})${result.output.trim() ? `:\n${result.output.trim()}` : ''}`;
}

/** The environment for the PostgreSQL programs: no PG* variable of ours leaks in, LC_ALL=C. */
function programEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG') && key !== 'NODE_OPTIONS') env[key] = value;
  return { ...env, LC_ALL: 'C', ...extra };
}

/** `name = 'value'` lines for postgresql.conf. */
function confLines(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => `${name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'\n`)
    .join('');
}

/** A libpq conninfo value, quoted. */
function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The postmaster's pid from `<dataDir>/postmaster.pid`, if that file is there. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function logTail(logFile: string, lines = 30): string {
  try {
    const text = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Connects to `url`, runs `sql`, always ends the client. */
async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Polls `check` every 100 ms until it returns true (errors count as false); throws `failure()` after `timeoutMs`. */
async function pollUntil(timeoutMs: number, check: () => Promise<boolean>, failure: (lastError: unknown) => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new Error(failure(lastError));
    await sleep(100);
  }
}

const errorText = (error: unknown) => (error ? ` (last error: ${(error as Error).message})` : '');

// ---------------------------------------------------------------------------------------------------
// Folders of processes that died without cleaning up

async function removeStaleFolders(): Promise<void> {
  const dir = tmpdir();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.startsWith(REPLICATION_FOLDER_PREFIX));
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const folder = path.join(dir, name);
      try {
        const owner = Number.parseInt((await readFile(path.join(folder, OWNER_FILE), 'utf8')).split('\n')[0] ?? '', 10);
        if (!Number.isInteger(owner) || owner <= 0 || processAlive(owner)) return;
        for (const node of NODE_NAMES) {
          const pid = postmasterPid(path.join(folder, node));
          if (pid !== undefined && processAlive(pid) && runsFrom(pid, folder)) process.kill(pid, 'SIGQUIT');
        }
        await rm(folder, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // No owner file yet (being made), not ours to remove, or removed by someone else meanwhile.
      }
    }),
  );
}


// ---------------------------------------------------------------------------------------------------
// The cluster

/** What every part of a cluster's start needs: its folder, password, server user and reaper. */
interface ClusterContext {
  root: string;
  password: string;
  ids: { uid: number; gid: number } | undefined;
  asServer: SpawnOptions;
  reaper: Reaper;
}

const bin = (program: string) => path.join(binDir(), program);

function urlOf(ctx: ClusterContext, node: { port: number }, database: string, credentials?: { user: string; password: string }): string {
  const user = encodeURIComponent(credentials?.user ?? 'postgres');
  const pw = encodeURIComponent(credentials?.password ?? ctx.password);
  return `postgres://${user}:${pw}@127.0.0.1:${node.port}/${encodeURIComponent(database)}?sslmode=disable`;
}

/** A folder or file for the server user. */
async function forServer(ctx: ClusterContext, p: string): Promise<void> {
  if (ctx.ids) await chown(p, ctx.ids.uid, ctx.ids.gid);
}

async function pgCtl(ctx: ClusterContext, args: string[], what: string, logFile: string, timeoutMs = 45_000): Promise<void> {
  const result = await runToEnd(bin('pg_ctl'), args, { ...ctx.asServer, cwd: ctx.root, env: programEnv() }, timeoutMs);
  if (result.code !== 0) throw new Error(`${describeFailure(what, result)}\n--- ${path.basename(logFile)} (tail) ---\n${logTail(logFile)}`);
}

/** SIGQUIT to every node's postmaster still alive: an immediate shutdown. */
function killServers(root: string): void {
  for (const name of NODE_NAMES) {
    const pid = postmasterPid(path.join(root, name));
    if (pid !== undefined && processAlive(pid)) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

export async function startReplicationCluster(options: ClusterOptions = {}): Promise<ReplicationCluster> {
  const missing = replicationMissingReason();
  if (missing) throw new Error(`cannot start a replication cluster: ${missing}`);
  await removeStaleFolders();
  const ids = postgresSystemUser();
  const { root, reaper } = serverFolder(REPLICATION_FOLDER_PREFIX);
  const ctx: ClusterContext = { root, password: randomBytes(12).toString('hex'), ids, asServer: ids ? { uid: ids.uid, gid: ids.gid } : {}, reaper };
  // However this process ends, no server outlives it and the folder goes (the reaper removes it once
  // the servers are gone; it also does everything on SIGKILL).
  const cleanupSync = () => {
    killServers(root);
    if (ctx.reaper.alive()) return ctx.reaper.reapNow();
    try {
      rmSync(root, { recursive: true, force: true });
    } catch {
      // A server still writing: nothing more to do without a reaper.
    }
  };
  const guard = guardProcess('replication cluster start', { sync: cleanupSync });
  const nodes: ClusterNode[] = [];
  try {
    nodes.push(...(await startNodes(ctx, options, guard.checkpoint)));
    const [primary, standby1, standby2] = nodes as [ClusterNode, ClusterNode, ClusterNode];
    let stopped: Promise<void> | undefined;
    return {
      primary,
      standby1,
      standby2,
      password: ctx.password,
      urlFor: (node, database, credentials) => urlOf(ctx, node, database, credentials),
      waitForCatchUp: (from = primary) => waitForCatchUp(nodes, from),
      stop: () =>
        (stopped ??= (async () => {
          // The data is thrown away: no shutdown checkpoint needed.
          await stopAll(nodes, root, 'immediate').catch(() => killServers(root));
          guard.forget();
          try {
            await rm(root, { recursive: true, force: true, maxRetries: 3 });
            ctx.reaper.dismiss();
          } catch (error) {
            ctx.reaper.reapNow();
            throw error;
          }
        })()),
    };
  } catch (error) {
    guard.forget();
    cleanupSync();
    throw error;
  }
}

async function stopAll(nodes: ClusterNode[], root: string, mode: 'fast' | 'immediate'): Promise<void> {
  const failures: unknown[] = [];
  await Promise.all(nodes.map((node) => node.stop(mode).catch((error: unknown) => failures.push(error))));
  killServers(root);
  if (failures.length) throw failures[0];
}

/** The primary, then both standbys from base backups, streaming: the nodes in that order. */
async function startNodes(ctx: ClusterContext, options: ClusterOptions, checkpoint: () => void): Promise<ClusterNode[]> {
  await initPrimary(ctx, options);
  checkpoint();
  const ports = new Map<string, number>();
  for (const name of NODE_NAMES) {
    let port: number;
    do port = await freePort();
    while ([...ports.values()].includes(port));
    ports.set(name, port);
  }
  const primarySettings: Record<string, string> = options.synchronousStandby1 ? { synchronous_standby_names: 'standby1', synchronous_commit: 'on' } : {};
  const primary = await makeNode(ctx, 'primary', ports.get('primary')!, primarySettings);
  await primary.start();
  checkpoint();
  // A base backup each, in parallel, then their own node.conf, then start.
  const standbys = await Promise.all(
    (['standby1', 'standby2'] as const).map(async (name) => {
      await baseBackup(ctx, name, primary);
      return makeNode(ctx, name, ports.get(name)!, {});
    }),
  );
  checkpoint();
  await Promise.all(standbys.map((standby) => standby.start()));
  checkpoint();
  await waitForStreaming(primary, options.synchronousStandby1 ? 'sync' : 'async');
  return [primary, ...standbys];
}

/** initdb for the primary, with the settings every node shares and a replication line in pg_hba.conf. */
async function initPrimary(ctx: ClusterContext, options: ClusterOptions): Promise<void> {
  const primaryDir = path.join(ctx.root, 'primary');
  await mkdir(primaryDir, { mode: 0o700 });
  await forServer(ctx, primaryDir);
  const pwfile = path.join(ctx.root, 'pwfile');
  await writeFile(pwfile, `${ctx.password}\n`, { mode: 0o600 });
  await forServer(ctx, pwfile);
  const initdb = await runToEnd(
    bin('initdb'),
    ['-D', primaryDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'],
    { ...ctx.asServer, cwd: ctx.root, env: programEnv() },
    120_000,
  );
  await rm(pwfile, { force: true });
  if (initdb.code !== 0) throw new Error(describeFailure('initdb', initdb));
  const shared: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    wal_level: 'replica',
    max_wal_senders: '10',
    max_replication_slots: '10',
    hot_standby: 'on',
    wal_keep_size: '256MB',
    fsync: 'off',
    full_page_writes: 'on',
    max_connections: '200',
    hot_standby_feedback: 'on',
    wal_receiver_status_interval: '1s',
    ...(options.settings ?? {}),
  };
  appendFileSync(
    path.join(primaryDir, 'postgresql.conf'),
    `\n# Every node of the test replication cluster (test/support/replication-cluster.ts)\n${confLines(shared)}` +
      "# Each node's own: port, unix_socket_directories, cluster_name\ninclude_if_exists = 'node.conf'\n",
  );
  const hbaFile = path.join(primaryDir, 'pg_hba.conf');
  const hba = await readFile(hbaFile, 'utf8');
  if (!/^\s*host\s+replication\s+all\s+127\.0\.0\.1\/32\s+scram-sha-256\s*$/m.test(hba)) {
    await appendFile(hbaFile, 'host    replication     all             127.0.0.1/32            scram-sha-256\n');
  }
}

/** `pg_basebackup -R` of the primary into the standby's folder, checked for its conninfo and signal file. */
async function baseBackup(ctx: ClusterContext, name: string, primary: ClusterNode): Promise<void> {
  const dataDir = path.join(ctx.root, name);
  await mkdir(dataDir, { mode: 0o700 });
  await forServer(ctx, dataDir);
  const backup = await runToEnd(
    bin('pg_basebackup'),
    ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    { ...ctx.asServer, cwd: ctx.root, env: programEnv({ PGPASSWORD: ctx.password, PGSSLMODE: 'disable' }) },
    120_000,
  );
  if (backup.code !== 0) throw new Error(describeFailure(`pg_basebackup for ${name}`, backup));
  // -R writes primary_conninfo with what pg_basebackup connected with, the password included
  // (from PGPASSWORD), and no application_name: the walreceiver then uses cluster_name.
  const auto = await readFile(path.join(dataDir, 'postgresql.auto.conf'), 'utf8');
  if (!auto.includes(`password=${ctx.password}`) && !auto.includes(`password='${ctx.password}'`)) {
    throw new Error(`pg_basebackup -R wrote no password into ${name}'s primary_conninfo:\n${auto}`);
  }
  if (!existsSync(path.join(dataDir, 'standby.signal'))) throw new Error(`pg_basebackup -R wrote no standby.signal for ${name}`);
}

/** Both standbys stream from the primary, standby1 as the synchronous one when asked for. */
async function waitForStreaming(primary: ClusterNode, expectedSync: 'sync' | 'async'): Promise<void> {
  let seen = '';
  await pollUntil(
    30_000,
    async () => {
      const rows = await query<{ application_name: string; state: string; sync_state: string }>(
        primary.url,
        'SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY application_name',
      );
      seen = rows.map((r) => `${r.application_name} ${r.state} ${r.sync_state}`).join('; ') || 'none';
      const streaming = (n: string) => rows.find((r) => r.application_name === n && r.state === 'streaming');
      return Boolean(streaming('standby1') && streaming('standby2') && streaming('standby1')!.sync_state === expectedSync);
    },
    (e) => `the standbys did not stream from the primary within 30 s (pg_stat_replication: ${seen})${errorText(e)}`,
  );
}

/** Every running standby has replayed `from`'s current WAL position (15 s at most). */
async function waitForCatchUp(nodes: ClusterNode[], from: ClusterNode): Promise<void> {
  if (!from.running()) throw new Error(`waitForCatchUp: ${from.name} is not running`);
  const [target] = await query<{ lsn: string }>(from.url, 'SELECT pg_current_wal_lsn()::text AS lsn');
  const lsn = target!.lsn;
  const others = nodes.filter((node) => node !== from && node.running());
  const status = new Map<string, string>();
  await pollUntil(
    15_000,
    async () => {
      const done = await Promise.all(
        others.map(async (node) => {
          const [row] = await query<{ recovery: boolean; replayed: string | null; caught: boolean | null; pause: string }>(
            node.url,
            'SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed, ' +
              'pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught, ' +
              "CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE '' END AS pause",
            [lsn],
          );
          // Not a standby (any more): nothing to wait for.
          if (!row || !row.recovery) return true;
          status.set(node.name, `replayed ${row.replayed ?? 'nothing'}${row.pause === 'not paused' ? '' : `, replay ${row.pause}`}`);
          return row.caught === true;
        }),
      );
      return done.every(Boolean);
    },
    (e) =>
      `waitForCatchUp: not every standby replayed ${from.name}'s ${lsn} within 15 s: ` +
      `${[...status].map(([n, s]) => `${n} ${s}`).join('; ')}${errorText(e)}`,
  );
}

/** A node's folder, log and socket, and its own node.conf (port, socket folder, cluster_name, settings). */
async function makeNode(ctx: ClusterContext, name: string, port: number, nodeSettings: Record<string, string>): Promise<ClusterNode> {
  const dataDir = path.join(ctx.root, name);
  const logFile = path.join(ctx.root, `${name}.log`);
  const socketDir = path.join(ctx.root, `sock-${name}`);
  await mkdir(socketDir, { recursive: true, mode: 0o755 });
  await forServer(ctx, socketDir);
  await writeFile(logFile, '', { flag: 'a' });
  await forServer(ctx, logFile);
  const nodeConf = path.join(dataDir, 'node.conf');
  await writeFile(nodeConf, `# This node's own settings (see test/support/replication-cluster.ts)\n${confLines({ port: String(port), unix_socket_directories: socketDir, cluster_name: name, ...nodeSettings })}`);
  await forServer(ctx, nodeConf);
  return new ClusterServer(ctx, name, port, dataDir, logFile);
}

/** One server of the cluster, driven with pg_ctl and SQL. */
class ClusterServer implements ClusterNode {
  readonly url: string;

  constructor(
    private readonly ctx: ClusterContext,
    readonly name: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly logFile: string,
  ) {
    this.url = urlOf(ctx, { port }, 'postgres');
  }

  running(): boolean {
    const pid = postmasterPid(this.dataDir);
    return pid !== undefined && processAlive(pid);
  }

  async start(): Promise<void> {
    await pgCtl(this.ctx, ['start', '-w', '-t', '30', '-D', this.dataDir, '-l', this.logFile], `pg_ctl start (${this.name})`, this.logFile);
    const pid = postmasterPid(this.dataDir);
    if (pid !== undefined) this.ctx.reaper.tell(pid);
    await pollUntil(
      30_000,
      async () => (await query(this.url, 'SELECT 1')).length === 1,
      (e) => `${this.name} did not accept connections within 30 s${errorText(e)}\n${this.logTail()}`,
    );
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running()) return;
    await pgCtl(this.ctx, ['stop', '-m', mode, '-w', '-t', '30', '-D', this.dataDir], `pg_ctl stop -m ${mode} (${this.name})`, this.logFile);
  }

  async promote(): Promise<void> {
    await pgCtl(this.ctx, ['promote', '-w', '-t', '30', '-D', this.dataDir], `pg_ctl promote (${this.name})`, this.logFile);
    await pollUntil(
      30_000,
      async () => {
        const [row] = await query<{ recovery: boolean; readOnly: string }>(
          this.url,
          "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS \"readOnly\"",
        );
        return row?.recovery === false && row.readOnly === 'off';
      },
      (e) => `${this.name} still in recovery 30 s after pg_ctl promote${errorText(e)}\n${this.logTail()}`,
    );
  }

  async pauseReplay(): Promise<void> {
    await query(this.url, 'SELECT pg_wal_replay_pause()');
    // From here on no further record is replayed; the state reads 'paused' once the startup
    // process has seen the request (at once when WAL is streaming in, else when it next looks).
    const state = async () => (await query<{ state: string }>(this.url, 'SELECT pg_get_wal_replay_pause_state() AS state'))[0]!.state;
    await pollUntil(5000, async () => (await state()) === 'paused', () => '').catch(() => {});
  }

  async resumeReplay(): Promise<void> {
    await query(this.url, 'SELECT pg_wal_replay_resume()');
  }

  async followPrimary(primary: ClusterNode): Promise<void> {
    const conninfo = [
      `host=${conninfoValue('127.0.0.1')}`,
      `port=${conninfoValue(String(primary.port))}`,
      `user=${conninfoValue('postgres')}`,
      `password=${conninfoValue(this.ctx.password)}`,
      `sslmode=${conninfoValue('disable')}`,
    ].join(' ');
    await query(this.url, `ALTER SYSTEM SET primary_conninfo = ${pg.escapeLiteral(conninfo)}`);
    await query(this.url, 'SELECT pg_reload_conf()');
    let last = 'no walreceiver';
    await pollUntil(
      20_000,
      async () => {
        const [row] = await query<{ status: string; sender_port: number | null }>(this.url, 'SELECT status, sender_port FROM pg_stat_wal_receiver');
        last = row ? `status ${row.status}, sender_port ${row.sender_port}` : 'no walreceiver';
        return row?.status === 'streaming' && row.sender_port === primary.port;
      },
      (e) => `${this.name} did not stream from ${primary.name} (port ${primary.port}) within 20 s: ${last}${errorText(e)}\n${this.logTail()}`,
    );
  }

  private logTail(): string {
    return `--- ${this.name}.log (tail) ---\n${logTail(this.logFile)}`;
  }
}
