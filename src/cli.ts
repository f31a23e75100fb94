#!/usr/bin/env node
/**
 * The `foodsave-db` command. Exit codes: 0 success (health: healthy), 1 the operation failed (health:
 * unhealthy), 2 bad usage, 3 health: degraded. See `foodsave-db --help` (cli-args.ts), which the
 * README's "The command" section shows verbatim.
 *
 * Only the argument parser loads at start; each command imports the database modules it needs, so
 * `--help` and `--version` answer at once.
 */
import { EXIT, helpText, parseCommandLine } from './cli-args.js';
import { backupCreate, backupList, backupPrune, backupRestore, backupVerify } from './cli-backup.js';
import type { CliContext } from './cli-context.js';
import { describeError, UsageError } from './cli-errors.js';
import { health } from './cli-health.js';
import { migrateDown, migrateStatus, migrateUp } from './cli-migrate.js';

const RUN: Record<string, (ctx: CliContext) => Promise<number>> = {
  'migrate up': migrateUp,
  'migrate down': migrateDown,
  'migrate status': migrateStatus,
  'backup create': backupCreate,
  'backup restore': backupRestore,
  'backup verify': backupVerify,
  'backup list': backupList,
  'backup prune': backupPrune,
  health,
};

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'unknown';

/** Runs one command line and returns its exit code; errors are printed, never thrown. */
async function main(argv: string[], io: Omit<CliContext, 'options' | 'file'>): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      io.out.write(helpText());
      return EXIT.ok;
    }
    if (line.kind === 'version') {
      io.out.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    const run = RUN[line.command.name]!;
    return await run({ ...io, options: line.options, ...(line.file === undefined ? {} : { file: line.file }) });
  } catch (error) {
    io.err.write(`${describeError(error).join('\n')}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

main(process.argv.slice(2), { out: process.stdout, err: process.stderr, stdin: process.stdin, env: process.env }).then(
  (code) => {
    process.exitCode = code;
    // A connection the command no longer waits for (a health probe past its deadline) must not keep
    // the process alive: exit a moment later if something is still open.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`foodsave-db: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failed;
  },
);
