/** `foodsave-db backup create | restore | verify | list | prune`. The backup module loads only when one runs. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { wholeNumber } from './cli-args.js';
import { backupUrl, confirmed, standbyUrl, whereTo, type CliContext } from './cli-context.js';
import { CommandError } from './cli-errors.js';

const DEFAULT_DIR = './backups/database';

function dirOf(ctx: CliContext): string {
  return ctx.options.dir ?? DEFAULT_DIR;
}

/** The FILE argument, which must be an existing file: checked before anything connects. */
async function existingFile(ctx: CliContext): Promise<string> {
  const file = path.resolve(ctx.file!);
  const found = await stat(file).catch(() => undefined);
  if (!found) throw new CommandError(`backup file not found: ${file}`, `Check the path; 'foodsave-db backup list --dir DIR' lists the dumps in DIR.`);
  if (!found.isFile()) throw new CommandError(`not a backup file: ${file} is a ${found.isDirectory() ? 'directory' : 'special file'}`);
  return file;
}

export async function backupCreate(ctx: CliContext): Promise<number> {
  const { createBackup } = await import('./ops/backup.js');
  const tty = ctx.err.isTTY === true;
  const fromStandby = ctx.options['from-standby'] === true;
  const result = await createBackup({
    databaseUrl: fromStandby ? standbyUrl(ctx) : backupUrl(ctx),
    ...(fromStandby ? { from: 'standby' as const } : {}),
    dir: dirOf(ctx),
    onProgress: tty ? (bytes) => ctx.err.write(`\r${(bytes / 1024 / 1024).toFixed(1)} MiB written`) : undefined,
  });
  if (tty) ctx.err.write('\n');
  ctx.out.write(`${result.path}\n${result.bytes} bytes  sha256 ${result.sha256}  ${(result.durationMs / 1000).toFixed(1)} s  PostgreSQL ${result.serverVersion}\n`);
  return 0;
}

export async function backupRestore(ctx: CliContext): Promise<number> {
  const file = await existingFile(ctx);
  const databaseUrl = backupUrl(ctx);
  const clean = ctx.options.clean === true;
  if (clean) {
    await confirmed(ctx, 'backup restore --clean', `Restore ${path.basename(file)} into ${whereTo(databaseUrl)}, first dropping the objects it holds there?`);
  }
  const { restoreBackup } = await import('./ops/backup.js');
  const { durationMs } = await restoreBackup(file, { databaseUrl, clean });
  ctx.out.write(`restored ${file} in ${(durationMs / 1000).toFixed(1)} s\n`);
  return 0;
}

export async function backupVerify(ctx: CliContext): Promise<number> {
  const file = await existingFile(ctx);
  const { verifyBackup } = await import('./ops/backup.js');
  const result = await verifyBackup(file, { databaseUrl: backupUrl(ctx) });
  if (result.ok) ctx.out.write(`ok: ${result.tables} tables match the manifest\n`);
  else for (const m of result.mismatches) ctx.out.write(`mismatch ${m.table}: expected ${m.expected}, got ${m.actual ?? 'missing'}\n`);
  return result.ok ? 0 : 1;
}

export async function backupList(ctx: CliContext): Promise<number> {
  const { listBackups } = await import('./ops/backup.js');
  const entries = await listBackups(dirOf(ctx));
  if (ctx.options.json) ctx.out.write(`${JSON.stringify(entries, null, 2)}\n`);
  else for (const e of entries) ctx.out.write(`${e.createdAt.toISOString()}  ${String(e.bytes).padStart(12)}  ${e.path}\n`);
  return 0;
}

export async function backupPrune(ctx: CliContext): Promise<number> {
  const keep = wholeNumber('--keep', ctx.options.keep!);
  const dir = dirOf(ctx);
  const { listBackups, pruneBackups } = await import('./ops/backup.js');
  const doomed = (await listBackups(dir)).slice(keep);
  if (doomed.length === 0) {
    ctx.out.write('nothing to prune\n');
    return 0;
  }
  const what = keep === 0 ? `all ${doomed.length} backups` : `${doomed.length} backup${doomed.length === 1 ? '' : 's'} (keeping the newest ${keep})`;
  await confirmed(ctx, 'backup prune', `Delete ${what} in ${path.resolve(dir)}, oldest ${doomed.at(-1)!.name}?`);
  const removed = await pruneBackups(dir, { keep });
  ctx.out.write(removed.length ? removed.map((f) => `removed ${f}\n`).join('') : 'nothing to prune\n');
  return 0;
}
