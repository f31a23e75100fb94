/**
 * What every `foodsave-db` command gets: its parsed options, the streams, and the engine, loaded only
 * when a command needs it (Sequelize and pg take most of a second to load).
 */
import type { CommandOptions } from './cli-args.js';
import { requireConfirmation } from './cli-confirm.js';
import { splitReplicaUrls } from './config/connection-url.js';
import type { Engine } from './engine/create-engine.js';
import { ConfigError } from './errors.js';

export interface CliContext {
  options: CommandOptions;
  /** The FILE argument of `backup restore` and `backup verify`. */
  file?: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Runs `work` with a one-connection engine from the environment, and closes it. */
export async function withEngine<T>(ctx: CliContext, work: (engine: Engine) => Promise<T>): Promise<T> {
  const { createEngine } = await import('./engine/create-engine.js');
  const engine = createEngine({ env: ctx.env, poolSize: 1, maxOverflow: 0 });
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/** The URL backups use: pg_dump sets session settings before its transaction, so it needs the direct URL past a pooler. */
export function backupUrl(ctx: CliContext): string {
  const url = ctx.env.DATABASE_MIGRATION_URL || ctx.env.DATABASE_URL;
  if (!url) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required' }]);
  return url;
}

/**
 * The standby `backup create --from-standby` dumps: the first of `DATABASE_REPLICA_URLS`, else the backup
 * URL, whose host list may name standbys (`createBackup` prefers one).
 */
export function standbyUrl(ctx: CliContext): string {
  return splitReplicaUrls(ctx.env.DATABASE_REPLICA_URLS ?? '')[0] ?? backupUrl(ctx);
}

/** `host:port/database` of a URL, for a question; never the password. */
export function whereTo(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'the database';
  }
}

/** Asks on a terminal, or needs `--yes`; see {@link requireConfirmation}. */
export function confirmed(ctx: CliContext, action: string, question: string): Promise<void> {
  return requireConfirmation(action, question, { yes: ctx.options.yes === true, isTTY: ctx.stdin.isTTY === true, input: ctx.stdin, output: ctx.err });
}
