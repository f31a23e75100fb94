import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BackupError } from '../errors.js';

const run = promisify(execFile);

/**
 * Finds `pg_dump` or `pg_restore` whose major version matches the server's: pg_dump refuses a server
 * newer than itself, and an older server's dump is best made by its own major. Looks in `PG_BIN_DIR`,
 * then every PATH entry, then Debian's `/usr/lib/postgresql/<major>/bin`.
 *
 * @throws {BackupError} naming the version needed and how to install it.
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
    `/usr/lib/postgresql/${serverMajor}/bin`,
  ];
  const seen: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const major = await majorOf(candidate);
    if (major === serverMajor) return candidate;
    if (major !== undefined) seen.push(`${candidate} (${major})`);
  }
  throw new BackupError(
    `${name} ${serverMajor} is needed for this PostgreSQL ${serverMajor} server, but none was found` +
      (seen.length ? ` (found ${seen.join(', ')})` : '') +
      `. Install it (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}; ` +
      `macOS: brew install postgresql@${serverMajor}) or set PG_BIN_DIR to its bin folder.`,
  );
}

async function majorOf(binary: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
    const match = /\s(\d+)(?:\.\d+)?/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
