#!/usr/bin/env node
/**
 * The `foodsave-db` command. Exit codes: 0 success, 1 the operation failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { createEngine, type Engine } from './engine/create-engine.js';
import { FoodsaveDbError } from './errors.js';
import { migrationStatus, revertMigrations, runMigrations } from './migrations/runner.js';

const HELP = `Usage: foodsave-db <command> [options]

Commands:
  migrate up [--to NAME]          Apply pending migrations (up to and including NAME)
  migrate down [--to NAME | --all] Revert the newest migration, down to and including NAME, or all
  migrate status [--json]         List applied, pending and changed migrations

Options:
  --lock-timeout SECONDS          Wait this long for another runner's lock (default 60)
  -h, --help                      Show this help
  -v, --version                   Show the version

Environment:
  DATABASE_URL                    postgres://user:password@host:port/database (required)
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
