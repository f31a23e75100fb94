import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type pg from 'pg';
import { childConnectionUrl, resolveConnectionSettings, withTarget, type ConnectionSettings } from '../config/connection-settings.js';
import { formatConnectionUrl } from '../config/connection-url.js';
import { scrubSecrets } from '../config/redact.js';
import { connectClient } from '../engine/host-selection.js';
import { ALL_ROWS, ROW_SCOPE_SETTING } from '../engine/scoped-query.js';
import { BackupError, FoodsaveDbError } from '../errors.js';
import { childEnvironment, findPgBinary } from './pg-binaries.js';
import { ident, sql } from '../db/sql.js';

/** Options for {@link createBackup}. */
export interface CreateBackupOptions {
  /** The database to dump. Percent-encode special characters in the password. */
  databaseUrl: string;
  /** Folder for the dump and its sidecars; created if missing. Default: `./backups/database`. */
  dir?: string;
  /** Called as the dump grows, with the bytes written so far. Default: none. */
  onProgress?: (bytesWritten: number) => void;
  /** Environment to look for `pg_dump` in (`PG_BIN_DIR`, `PATH`). Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Which server to dump. `primary`: the writable one (`target_session_attrs=read-write`; a URL that
   * names only a standby is refused). `standby`: a standby among the URL's hosts if one answers, else the
   * primary (`prefer-standby`), which keeps the dump's load off the primary; pass a replica's URL, or a
   * URL listing the replicas. Default: `primary`.
   */
  from?: 'primary' | 'standby';
}

/** What {@link createBackup} made. */
export interface BackupResult {
  /** The dump, `backup_YYYYMMDD_HHMMSS.dump` (UTC). */
  path: string;
  bytes: number;
  sha256: string;
  durationMs: number;
  /** The server's version, such as `15.18`. */
  serverVersion: string;
  /** `<dump>.sha256`, in `sha256sum` format. */
  checksumPath: string;
  /** `<dump>.manifest.json`: per-table row counts from the dump's own snapshot. */
  manifestPath: string;
  /** The pg_dump command line as run. It holds no password (that goes through a passfile). */
  command: string[];
}

/** The sidecar manifest written beside each dump. */
export interface BackupManifest {
  createdAt: string;
  serverVersion: string;
  sha256: string;
  bytes: number;
  /** `schema.table` → exact row count at the dump's snapshot. */
  rowCounts: Record<string, number>;
}

/** Options for {@link restoreBackup}. */
export interface RestoreBackupOptions {
  /** The database to restore into. */
  databaseUrl: string;
  /** Drop each object before recreating it (`pg_restore --clean --if-exists`). Default: false. */
  clean?: boolean;
  /** Refuse a dump without a matching `.sha256` sidecar. Default: true. */
  requireChecksum?: boolean;
  env?: Record<string, string | undefined>;
}

/** One dump in a backup folder. */
export interface BackupEntry {
  path: string;
  name: string;
  /** From the file name (UTC). */
  createdAt: Date;
  bytes: number;
}

const NAME = /^backup_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d+))?\.dump$/;

/**
 * Dumps a database with `pg_dump -Fc` to `backup_YYYYMMDD_HHMMSS.dump`, atomically (a temporary name,
 * then a rename), and writes its sha256 and a row-count manifest beside it.
 *
 * - The URL is parsed by a real parser: percent-encoded credentials, and libpq parameters such as
 *   `sslmode` and `application_name` are passed on.
 * - The password (from the userinfo or `?password=`) goes through a temporary 0600 passfile
 *   (`PGPASSFILE`), never argv, and the passfile is removed afterwards. pg_dump is spawned without a
 *   shell, with an allow-listed environment: `DATABASE_URL` and the host's other secrets never reach it.
 * - TLS follows the URL's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, exactly as the engine does.
 * - A `pg_dump` whose major version is at least the server's is found (see `PG_BIN_DIR`).
 * - Row counts and the dump come from one exported snapshot, so the manifest matches the dump exactly.
 *
 * @throws {BackupError} when pg_dump fails or no matching pg_dump exists. The message has no password.
 * @example
 * ```ts
 * const backup = await createBackup({ databaseUrl: process.env.DATABASE_URL!, dir: '/var/backups/foodsave' });
 * console.log(backup.path, backup.sha256);
 * ```
 */
export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const parts = allRowsSession(withTarget(parseUrl(options.databaseUrl), options.from === 'standby' ? 'prefer-standby' : 'read-write'));
  const dir = path.resolve(options.dir ?? './backups/database');
  await mkdir(dir, { recursive: true });

  const client = await connect(parts);
  const secrets = [parts.password];
  const passfile = await writePassfile(parts);
  let tmp: string | undefined;
  try {
    const version = await serverVersion(client);
    await requireAllRows(client);
    const pgDump = await findPgBinary('pg_dump', version.major, options.env);
    // Hold a snapshot open: pg_dump dumps it, and the manifest counts rows in it.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const rowCounts = await countRows(client);

    const target = await freeName(dir);
    tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
    const command = [pgDump, '--format=custom', '--enable-row-security', `--snapshot=${snapshot}`, `--dbname=${childConnectionUrl(parts)}`];
    const { sha256, bytes } = await dumpTo(tmp, command, passfile.env, secrets, options.onProgress);
    await client.query('COMMIT');
    await rename(tmp, target);
    tmp = undefined;

    const checksumPath = `${target}.sha256`;
    await writeFile(checksumPath, `${sha256}  ${path.basename(target)}\n`);
    const manifest: BackupManifest = { createdAt: new Date().toISOString(), serverVersion: version.text, sha256, bytes, rowCounts };
    const manifestPath = `${target}.manifest.json`;
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    return { path: target, bytes, sha256, durationMs: performance.now() - started, serverVersion: version.text, checksumPath, manifestPath, command };
  } catch (error) {
    throw asBackupError(error, secrets);
  } finally {
    if (tmp) await rm(tmp, { force: true });
    await passfile.remove();
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs pg_dump into `file` (created private), hashing and counting on the way to disk with
 * backpressure, so a large dump never sits in memory; the file is flushed to disk before this returns.
 */
async function dumpTo(
  file: string,
  command: string[],
  env: NodeJS.ProcessEnv,
  secrets: Parameters<typeof scrubSecrets>[1],
  onProgress: ((bytes: number) => void) | undefined,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      onProgress?.(bytes);
      callback(null, chunk);
    },
  });
  const stderr = await runChild(command, env, [meter, createWriteStream(file, { mode: 0o600 })]);
  if (stderr.code !== 0) {
    throw new BackupError(`pg_dump failed (exit ${stderr.code}): ${tail(scrubSecrets(stderr.text, secrets))}`);
  }
  const handle = await open(file, 'r');
  await handle.sync();
  await handle.close();
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Restores a dump with `pg_restore --single-transaction --no-owner`: either the whole backup is restored
 * or the database is left as it was. The sha256 sidecar is checked first, so a truncated or corrupt
 * file is refused before the database is touched.
 *
 * @throws {BackupError} for a missing file (named with its full path), a missing or mismatched
 * checksum, or a failed restore (nothing changed), whose message carries pg_restore's own error lines.
 * @example
 * ```ts
 * await restoreBackup('/var/backups/foodsave/backup_20261126_031500.dump', { databaseUrl, clean: true });
 * ```
 */
export async function restoreBackup(file: string, options: RestoreBackupOptions): Promise<{ durationMs: number; command: string[] }> {
  const started = performance.now();
  await assertDumpExists(file);
  // Restores write: always the writable server among the URL's hosts.
  const parts = withTarget(parseUrl(options.databaseUrl), 'read-write');
  const secrets = [parts.password];
  await verifyChecksum(file, options.requireChecksum ?? true);
  const client = await connect(parts);
  const passfile = await writePassfile(parts);
  try {
    const version = await serverVersion(client);
    await client.end();
    const pgRestore = await findPgBinary('pg_restore', version.major, options.env);
    const command = [
      pgRestore,
      '--single-transaction',
      '--exit-on-error',
      '--no-owner',
      ...(options.clean ? ['--clean', '--if-exists'] : []),
      `--dbname=${childConnectionUrl(parts)}`,
      path.resolve(file),
    ];
    const result = await runChild(command, passfile.env);
    if (result.code !== 0) {
      throw new BackupError(`pg_restore failed (exit ${result.code}); nothing was restored: ${restoreError(scrubSecrets(result.text, secrets))}`);
    }
    return { durationMs: performance.now() - started, command };
  } catch (error) {
    throw asBackupError(error, secrets);
  } finally {
    await passfile.remove();
    await client.end().catch(() => undefined);
  }
}

/**
 * Proves a dump restores: restores it into a scratch database on the given server, compares every
 * table's row count with the manifest, and drops the scratch database. Needs CREATEDB.
 *
 * @example
 * ```ts
 * const { ok, mismatches } = await verifyBackup(file, { databaseUrl });
 * if (!ok) throw new Error(`backup does not match: ${JSON.stringify(mismatches)}`);
 * ```
 */
export async function verifyBackup(
  file: string,
  options: { databaseUrl: string; env?: Record<string, string | undefined> },
): Promise<{ ok: boolean; tables: number; mismatches: { table: string; expected: number; actual: number | null }[] }> {
  await assertDumpExists(file);
  const parts = withTarget(parseUrl(options.databaseUrl), 'read-write');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8')) as BackupManifest;
  } catch (cause) {
    throw new BackupError(`No readable manifest beside ${path.basename(file)} (${path.basename(file)}.manifest.json)`, { cause });
  }
  const scratch = `foodsave_verify_${randomBytes(6).toString('hex')}`;
  const admin = await connect(parts);
  try {
    await admin.query(`CREATE DATABASE ${scratch}`);
    const scratchParts = { ...parts, database: scratch };
    const scratchUrl = formatConnectionUrl({ ...scratchParts, params: { ...parts.libpqParams } });
    await restoreBackup(file, { databaseUrl: scratchUrl, env: options.env });
    const check = await connect(allRowsSession(scratchParts));
    let actual: Record<string, number>;
    try {
      await requireAllRows(check);
      actual = await countRows(check);
    } finally {
      await check.end();
    }
    const tables = new Set([...Object.keys(manifest.rowCounts), ...Object.keys(actual)]);
    const mismatches = [...tables]
      .filter((t) => manifest.rowCounts[t] !== actual[t])
      .map((t) => ({ table: t, expected: manifest.rowCounts[t] ?? 0, actual: actual[t] ?? null }));
    return { ok: mismatches.length === 0, tables: tables.size, mismatches };
  } catch (error) {
    throw asBackupError(error, [parts.password]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/**
 * The dumps in a folder, newest first (by the time in their names).
 *
 * @example
 * ```ts
 * const [latest] = await listBackups('/var/backups/foodsave');
 * ```
 */
export async function listBackups(dir: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BackupError(`Cannot read ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const entries: (BackupEntry & { seq: number })[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, seq] = m;
    const file = path.join(dir, name);
    entries.push({
      path: file,
      name,
      createdAt: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))),
      bytes: (await stat(file)).size,
      seq: Number(seq ?? 0),
    });
  }
  entries.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq);
  return entries.map(({ seq: _seq, ...entry }) => entry);
}

/**
 * Deletes all but the newest `keep` dumps (with their sidecars) and returns the deleted paths.
 *
 * @example
 * ```ts
 * await pruneBackups('/var/backups/foodsave', { keep: 7 });
 * ```
 */
export async function pruneBackups(dir: string, options: { keep: number }): Promise<string[]> {
  if (!Number.isInteger(options.keep) || options.keep < 0) {
    throw new BackupError(`keep must be a whole number of backups (0 or more), got ${options.keep}`);
  }
  const old = (await listBackups(dir)).slice(options.keep);
  for (const entry of old) {
    await Promise.all([entry.path, `${entry.path}.sha256`, `${entry.path}.manifest.json`].map((f) => rm(f, { force: true })));
  }
  return old.map((e) => e.path);
}

/** A missing dump is named as such, with its full path, before anything else is read or connected. */
async function assertDumpExists(file: string): Promise<void> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    const why = found.code === 'ENOENT' ? 'not found' : `not readable (${found.code ?? found.message})`;
    throw new BackupError(`Backup file ${why}: ${path.resolve(file)}`, { cause: found });
  }
  if (!found.isFile()) throw new BackupError(`Not a backup file: ${path.resolve(file)} is not a regular file`);
}

async function verifyChecksum(file: string, required: boolean): Promise<void> {
  let expected: string | undefined;
  try {
    expected = (await readFile(`${file}.sha256`, 'utf8')).trim().split(/\s+/)[0];
  } catch (error) {
    if (required) throw new BackupError(`No checksum beside ${path.basename(file)} (${path.basename(file)}.sha256); refusing to restore`, { cause: error });
    return;
  }
  const actual = await new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', (error) => reject(new BackupError(`Cannot read ${file}: ${error.message}`, { cause: error })));
  });
  if (actual !== expected) {
    throw new BackupError(`${path.basename(file)} is corrupt or truncated: sha256 ${actual} does not match ${expected}; refusing to restore`);
  }
}

function parseUrl(url: string): ConnectionSettings {
  try {
    return resolveConnectionSettings(url);
  } catch (error) {
    throw new BackupError((error as Error).message, { cause: error });
  }
}

async function connect(parts: ConnectionSettings): Promise<pg.Client> {
  try {
    return await connectClient(parts, { applicationName: 'foodsave-db:backup' });
  } catch (error) {
    throw new BackupError(`Cannot connect to ${parts.host}:${parts.port}/${parts.database}: ${scrubSecrets((error as Error).message, [parts.password])}`, {
      cause: error,
    });
  }
}

/**
 * The connection settings with `foodsave.user_id=*` added to the session's startup options: the dump and
 * its row counts see every user's rows under the row-level security policies (migration 0011), for a
 * role held to them, such as the tables' owner. A role that bypasses RLS sees them anyway.
 */
function allRowsSession(parts: ConnectionSettings): ConnectionSettings {
  const options = [parts.options, `-c ${ROW_SCOPE_SETTING}=${ALL_ROWS}`].filter(Boolean).join(' ');
  return { ...parts, options, libpqParams: { ...parts.libpqParams, options } };
}

/**
 * A path that drops startup options (a pooler told to ignore them) would give pg_dump a session that
 * sees no user's rows: a complete-looking, empty backup. pg_dump connects the same way as this client,
 * so checking this client's session is checking the dump's.
 */
async function requireAllRows(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ scope: string | null }>('SELECT current_setting($1, true) AS scope', [ROW_SCOPE_SETTING]);
  if (rows[0]?.scope !== ALL_ROWS) {
    throw new BackupError(
      `The connection dropped the startup option ${ROW_SCOPE_SETTING}=${ALL_ROWS}, so the dump would miss every user's rows: ` +
        'back up through a direct URL (not a pooler), or with a role that has BYPASSRLS.',
    );
  }
}

async function serverVersion(client: pg.Client): Promise<{ major: number; text: string }> {
  const { rows } = await client.query<{ n: string; v: string }>(
    "SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS v",
  );
  return { major: Math.floor(Number(rows[0]!.n) / 10000), text: rows[0]!.v.split(' ')[0]! };
}

/** Exact row counts of every ordinary table outside the system schemas. */
async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const q = sql`SELECT count(*) AS n FROM ${ident(t.schema, t.name)}`.text;
    counts[`${t.schema}.${t.name}`] = Number((await client.query<{ n: string }>(q)).rows[0]!.n);
  }
  return counts;
}

/** A 0600 passfile in a private temporary folder, and the allow-listed child environment that points at it. */
async function writePassfile(parts: ConnectionSettings): Promise<{ env: NodeJS.ProcessEnv; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'foodsave-pgpass-'));
  const file = path.join(dir, 'pgpass');
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  const lines = parts.hosts.map((h) => `${esc(h.host)}:${h.port}:*:${esc(parts.user)}:${esc(parts.password)}\n`);
  await writeFile(file, lines.join(''), { mode: 0o600 });
  return { env: childEnvironment({ PGPASSFILE: file }), remove: () => rm(dir, { recursive: true, force: true }) };
}

async function freeName(dir: string): Promise<string> {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}_${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  for (let i = 0; ; i++) {
    const name = path.join(dir, `backup_${stamp}${i ? `_${i + 1}` : ''}.dump`);
    try {
      await stat(name);
    } catch {
      return name;
    }
  }
}

/** Spawns without a shell; pipes stdout through `stdoutTo` (if given) and collects stderr. */
async function runChild(
  command: string[],
  env: NodeJS.ProcessEnv,
  stdoutTo?: [Transform, Writable],
): Promise<{ code: number | null; text: string }> {
  const child = spawn(command[0]!, command.slice(1), { env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) => reject(new BackupError(`Cannot run ${path.basename(command[0]!)}: ${error.message}`, { cause: error })));
    child.on('close', (code) => resolve(code));
  });
  const piped = stdoutTo ? pipeline(child.stdout, ...stdoutTo) : (child.stdout.resume(), Promise.resolve());
  const [code] = await Promise.all([exited, piped]);
  return { code, text };
}

/**
 * What pg_restore said went wrong: its `error:` lines and the server's ERROR, FATAL, DETAIL and HINT lines,
 * without the "Command was:" SQL that follows them (a function body would bury the error). The tail of
 * the output when it printed none of these.
 */
function restoreError(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  const errors = lines.filter((line) => /^pg_restore: error: |^(ERROR|FATAL|DETAIL|HINT): /.test(line));
  return errors.length > 0 ? errors.map((line) => line.replace(/\s{2,}/g, ' ')).join(' | ') : tail(text);
}

function tail(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-5).join(' | ') || 'no output';
}

function asBackupError(error: unknown, secrets: string[]): FoodsaveDbError {
  if (error instanceof FoodsaveDbError) return error;
  return new BackupError(scrubSecrets((error as Error)?.message ?? String(error), secrets), { cause: error });
}
