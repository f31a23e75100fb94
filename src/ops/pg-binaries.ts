import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BackupError } from '../errors.js';

const run = promisify(execFile);

/**
 * Finds `pg_dump` or `pg_restore` whose major version is at least the server's: pg_dump refuses a server
 * newer than itself, and dumps any older one. The server's own major is preferred, then the nearest newer
 * one. Looks in `PG_BIN_DIR`, then every PATH entry, then Debian's `/usr/lib/postgresql/<major>/bin`.
 *
 * One exception: pg_restore 17 and later always send `SET transaction_timeout`, which servers before 17
 * reject, so a single-transaction restore into them fails; such a pg_restore is not used for them.
 *
 * @throws {BackupError} naming the version needed and an install that exists.
 * @internal
 */
export async function findPgBinary(
  name: 'pg_dump' | 'pg_restore',
  serverMajor: number,
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const dirs = [
    ...(env.PG_BIN_DIR ? [env.PG_BIN_DIR] : []),
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean),
    ...DEBIAN_MAJORS.map((major) => `/usr/lib/postgresql/${major}/bin`),
  ];
  const usable: { file: string; major: number }[] = [];
  const tooOld: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const major = await majorOf(candidate);
    if (major === undefined) continue;
    const rejected = name === 'pg_restore' && sendsTransactionTimeout(major, serverMajor);
    if (major >= serverMajor && !rejected) usable.push({ file: candidate, major });
    else tooOld.push(`${candidate} (${major}${rejected ? `: sends transaction_timeout, which PostgreSQL ${serverMajor} rejects` : ''})`);
  }
  // Stable sort: among equal majors, PG_BIN_DIR and PATH order win.
  usable.sort((a, b) => a.major - b.major);
  if (usable[0]) return usable[0].file;
  throw new BackupError(
    `${name} ${serverMajor} or newer is needed for this PostgreSQL ${serverMajor} server, but none was found` +
      (tooOld.length ? ` (found only unusable ones: ${tooOld.join(', ')})` : '') +
      `. ${installHint(serverMajor)}`,
  );
}

function sendsTransactionTimeout(clientMajor: number, serverMajor: number): boolean {
  return clientMajor >= 17 && serverMajor < 17;
}

/** Majors Debian's layout may hold, newest first. */
const DEBIAN_MAJORS = [18, 17, 16, 15, 14, 13];

function installHint(major: number): string {
  const debian12 =
    major <= 15
      ? 'Debian 12: apt-get install postgresql-client-15'
      : `Debian 12: add the PostgreSQL apt repository (https://wiki.postgresql.org/wiki/Apt) and apt-get install postgresql-client-${major}`;
  return `Install one (${debian12}; Ubuntu: the same repository; macOS: brew install postgresql@${major}), or set PG_BIN_DIR to the bin folder of any PostgreSQL ${major} or newer.`;
}

/**
 * What a child process may inherit: where to find programs and libraries, the locale and time zone, and
 * the home folder (libpq reads `~/.postgresql` there, as it would for the host). Nothing else: not
 * `DATABASE_URL`, not the host's other secrets.
 */
const CHILD_ENV_ALLOWED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'LD_LIBRARY_PATH'];

/**
 * The environment for a PostgreSQL client tool: the allow-listed variables of this process, plus `extra`.
 *
 * @internal
 */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of CHILD_ENV_ALLOWED) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

async function majorOf(binary: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 10_000, env: childEnvironment() });
    const match = /\s(\d+)(?:\.\d+)?/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
