#!/usr/bin/env node
/**
 * The `foodsave-db` command. Exit codes: 0 success, 1 the operation failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from './engine/create-engine.js';
import { ConfigError, FoodsaveDbError } from './errors.js';
import { createBackup, listBackups, pruneBackups, restoreBackup, verifyBackup } from './ops/backup.js';
import { checkDatabaseHealth } from './ops/health.js';
import { migrationStatus, revertMigrations, runMigrations } from './migrations/runner.js';

const HELP = `Usage: foodsave-db <command> [options]

Commands:
  migrate up [--to NAME]          Apply pending migrations (up to and including NAME)
  migrate down [--to NAME | --all] Revert the newest migration, down to and including NAME, or all
  migrate status [--json]         List applied, pending and changed migrations
  backup create [--dir DIR]       Dump the database (pg_dump -Fc) with a checksum and manifest
  backup restore FILE [--clean]   Restore a dump in one transaction, after checking its checksum
  backup verify FILE              Restore into a scratch database and compare row counts
  backup list [--dir DIR]         List dumps, newest first
  backup prune --keep N [--dir DIR]  Delete all but the newest N dumps
  health [--json]                 Check the database; exit 1 when unhealthy

Options:
  --lock-timeout SECONDS          Wait this long for another runner's lock (default 60)
  --dir DIR                       Backup folder (default ./backups/database)
  --timeout MS                    Health check deadline (default 2000)
  -h, --help                      Show this help
  -v, --version                   Show the version

Environment:
  DATABASE_URL                    postgres://user:password@host:port/database (required)
  DATABASE_MIGRATION_URL          A direct URL past a pooler, for migrations and backups
  DATABASE_POOL_SIZE, DATABASE_POOL_TIMEOUT, ...  see the README

Exit codes: 0 success, 1 failure, 2 bad usage.
`;

class UsageError extends Error {}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        'lock-timeout': { type: 'string' },
        dir: { type: 'string' },
        keep: { type: 'string' },
        clean: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    err.write(`foodsave-db: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    out.write(`${VERSION}\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    (values.help ? out : err).write(HELP);
    return values.help ? 0 : 2;
  }

  let engine: Engine | undefined;
  try {
    const [group, action, ...rest] = positionals;
    if (group === 'backup') return await backup(action, rest, values, out, err);
    if (group === 'health') {
      if (action !== undefined) throw new UsageError(`unexpected argument "${action}"`);
      engine = createEngine({ poolSize: 1, maxOverflow: 0 });
      const timeoutMs = values.timeout === undefined ? undefined : positiveNumber('--timeout', values.timeout);
      const report = await checkDatabaseHealth(engine, { timeoutMs });
      if (values.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        out.write(
          `${report.status}  ${(report.responseTime * 1000).toFixed(1)} ms  conversations=${report.conversationCount ?? '-'}  ` +
            `pending migrations=${report.pendingMigrations ?? '-'}${report.error ? `  error: ${report.error}` : ''}\n`,
        );
      }
      return report.status === 'healthy' ? 0 : 1;
    }
    if (group !== 'migrate') throw new UsageError(`unknown command "${group}"`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const lockTimeoutMs = values['lock-timeout'] === undefined ? undefined : seconds(values['lock-timeout']) * 1000;
    if (action !== 'up' && action !== 'down' && action !== 'status') {
      throw new UsageError(action ? `unknown migrate action "${action}"` : 'migrate needs an action: up, down or status');
    }
    if (values.all && values.to) throw new UsageError('use --to or --all, not both');
    engine = createEngine({ poolSize: 1, maxOverflow: 0 });
    if (action === 'up') {
      const applied = await runMigrations(engine, { to: values.to, lockTimeoutMs });
      out.write(applied.length ? applied.map((n) => `applied ${n}\n`).join('') : 'nothing to apply\n');
    } else if (action === 'down') {
      const to = values.all ? 0 : values.to;
      // Without --to or --all, revert only the newest, as most migration CLIs do.
      const target = to ?? (await migrationStatus(engine)).executed.at(-1)?.name;
      const reverted = target === undefined ? [] : await revertMigrations(engine, { to: target, lockTimeoutMs });
      out.write(reverted.length ? reverted.map((n) => `reverted ${n}\n`).join('') : 'nothing to revert\n');
    } else {
      const status = await migrationStatus(engine);
      if (values.json) out.write(`${JSON.stringify(status, null, 2)}\n`);
      else {
        for (const e of status.executed) {
          const mark = status.changed.includes(e.name) ? 'changed' : status.unknown.includes(e.name) ? 'unknown' : 'applied';
          out.write(`${mark.padEnd(8)} ${e.name}  ${e.executedAt.toISOString()}\n`);
        }
        for (const name of status.pending) out.write(`pending  ${name}\n`);
      }
      if (status.changed.length > 0) return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`foodsave-db: ${error.message}\n\n${HELP}`);
      return 2;
    }
    const label = error instanceof FoodsaveDbError ? error.code : 'ERROR';
    err.write(`foodsave-db: ${label}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await engine?.close();
  }
}

type Values = { dir?: string; keep?: string; clean?: boolean; json?: boolean };

async function backup(action: string | undefined, args: string[], values: Values, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const dir = values.dir ?? './backups/database';
  const databaseUrl = () => {
    // pg_dump sets session settings before its transaction: it needs the direct URL past a pooler.
    const url = process.env.DATABASE_MIGRATION_URL || process.env.DATABASE_URL;
    if (!url) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required' }]);
    return url;
  };
  const file = () => {
    if (args.length !== 1) throw new UsageError(`backup ${action} needs exactly one FILE`);
    return args[0]!;
  };
  switch (action) {
    case 'create': {
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
      const tty = (err as { isTTY?: boolean }).isTTY === true;
      const result = await createBackup({
        databaseUrl: databaseUrl(),
        dir,
        onProgress: tty ? (bytes) => err.write(`\r${(bytes / 1024 / 1024).toFixed(1)} MiB written`) : undefined,
      });
      if (tty) err.write('\n');
      out.write(`${result.path}\n${result.bytes} bytes  sha256 ${result.sha256}  ${(result.durationMs / 1000).toFixed(1)} s  PostgreSQL ${result.serverVersion}\n`);
      return 0;
    }
    case 'restore': {
      const { durationMs } = await restoreBackup(file(), { databaseUrl: databaseUrl(), clean: values.clean ?? false });
      out.write(`restored ${file()} in ${(durationMs / 1000).toFixed(1)} s\n`);
      return 0;
    }
    case 'verify': {
      const result = await verifyBackup(file(), { databaseUrl: databaseUrl() });
      if (result.ok) out.write(`ok: ${result.tables} tables match the manifest\n`);
      else for (const m of result.mismatches) out.write(`mismatch ${m.table}: expected ${m.expected}, got ${m.actual ?? 'missing'}\n`);
      return result.ok ? 0 : 1;
    }
    case 'list': {
      const entries = await listBackups(dir);
      if (values.json) out.write(`${JSON.stringify(entries, null, 2)}\n`);
      else for (const e of entries) out.write(`${e.createdAt.toISOString()}  ${String(e.bytes).padStart(12)}  ${e.path}\n`);
      return 0;
    }
    case 'prune': {
      if (values.keep === undefined) throw new UsageError('backup prune needs --keep N');
      const keep = Number(values.keep);
      if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep must be a whole number, got "${values.keep}"`);
      const removed = await pruneBackups(dir, { keep });
      out.write(removed.length ? removed.map((f) => `removed ${f}\n`).join('') : 'nothing to prune\n');
      return 0;
    }
    default:
      throw new UsageError(action ? `unknown backup action "${action}"` : 'backup needs an action: create, restore, verify, list or prune');
  }
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--lock-timeout must be a number of seconds, got "${value}"`);
  return n;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'unknown';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`foodsave-db: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
