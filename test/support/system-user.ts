import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';

/**
 * The `postgres` system user's ids when this process is root, else undefined. Servers (PostgreSQL,
 * PgBouncer) refuse to run as root, so the test setup starts them as this user, creating it if needed.
 */
export function postgresSystemUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
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

/** Hands files to the server's user, when there is one. */
export function chownForServer(paths: string[]): void {
  const owner = postgresSystemUser();
  if (!owner) return;
  for (const p of paths) chownSync(p, owner.uid, owner.gid);
}
