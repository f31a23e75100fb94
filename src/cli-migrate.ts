/** `foodsave-db migrate up | down | status`. The migration modules load only when one of these runs. */
import { seconds } from './cli-args.js';
import { confirmed, withEngine, type CliContext } from './cli-context.js';
import { CommandError, UsageError } from './cli-errors.js';
import type { MigrationStatus } from './migrations/runner.js';

const STATUS_HINT = "Run 'foodsave-db migrate status' to see the migrations.";

/** The known migration names, after checking that `--to` names one of them. */
async function knownMigrations(to: string | undefined): Promise<string[]> {
  const { migrations } = await import('./migrations/index.js');
  const names = migrations.map((m) => m.name);
  if (to !== undefined && !names.includes(to)) {
    const prefix = to.split('-')[0]!;
    const near = names.find((n) => n.split('-')[0] === prefix);
    const guess = near ? `; did you mean ${near}?` : `; the known ones are ${names[0]} ... ${names.at(-1)}`;
    throw new UsageError(`unknown migration '${to}'${guess}`, STATUS_HINT);
  }
  return names;
}

function lockTimeoutMs(ctx: CliContext): number | undefined {
  const value = ctx.options['lock-timeout'];
  return value === undefined ? undefined : seconds(value) * 1000;
}

export async function migrateUp(ctx: CliContext): Promise<number> {
  const to = ctx.options.to;
  await knownMigrations(to);
  const { migrationStatus, runMigrations } = await import('./migrations/runner.js');
  return withEngine(ctx, async (engine) => {
    if (to !== undefined && (await migrationStatus(engine)).executed.some((e) => e.name === to)) {
      ctx.out.write(`nothing to apply: ${to} is already applied\n`);
      return 0;
    }
    const applied = await runMigrations(engine, { to, lockTimeoutMs: lockTimeoutMs(ctx) });
    ctx.out.write(applied.length ? applied.map((n) => `applied ${n}\n`).join('') : 'nothing to apply\n');
    return 0;
  });
}

export async function migrateDown(ctx: CliContext): Promise<number> {
  const known = await knownMigrations(ctx.options.to);
  const { migrationStatus, revertMigrations } = await import('./migrations/runner.js');
  return withEngine(ctx, async (engine) => {
    const plan = revertPlan(await migrationStatus(engine), known, ctx.options.all ? 0 : ctx.options.to);
    if (plan.length === 0) {
      const why = ctx.options.to && !ctx.options.all ? `: ${ctx.options.to} is not applied` : '';
      ctx.out.write(`nothing to revert${why}\n`);
      return 0;
    }
    const list = plan.length <= 3 ? plan.join(', ') : `${plan[0]} ... ${plan.at(-1)}`;
    await confirmed(
      ctx,
      'migrate down',
      `Revert ${plan.length} migration${plan.length === 1 ? '' : 's'} (${list}) on ${engine.connections.migration.host}/${engine.connections.migration.database}? Their tables and data are dropped.`,
    );
    const reverted = await revertMigrations(engine, { to: plan.at(-1)!, lockTimeoutMs: lockTimeoutMs(ctx) });
    ctx.out.write(reverted.length ? reverted.map((n) => `reverted ${n}\n`).join('') : 'nothing to revert\n');
    return 0;
  });
}

/**
 * The applied migrations to revert, newest first: the newest alone (no target), all (`0`), or down to
 * and including `to` (none when `to` is not applied).
 */
function revertPlan(status: MigrationStatus, known: readonly string[], to: string | 0 | undefined): string[] {
  const applied = status.executed.map((e) => e.name);
  let plan: string[];
  if (to === undefined) plan = applied.slice(-1);
  else if (to === 0) plan = [...applied].reverse();
  else plan = applied.includes(to) ? applied.slice(applied.indexOf(to)).reverse() : [];
  const newer = plan.find((name) => !known.includes(name));
  if (newer !== undefined) {
    throw new CommandError(
      `${newer} was applied by a newer version of foodsave-db, which this one cannot revert`,
      'Revert it with the version that applied it, then run this again.',
    );
  }
  return plan;
}

export async function migrateStatus(ctx: CliContext): Promise<number> {
  const { migrationStatus } = await import('./migrations/runner.js');
  return withEngine(ctx, async (engine) => {
    const status = await migrationStatus(engine);
    if (ctx.options.json) ctx.out.write(`${JSON.stringify(status, null, 2)}\n`);
    else {
      for (const e of status.executed) {
        const mark = status.changed.includes(e.name) ? 'changed' : status.unknown.includes(e.name) ? 'unknown' : 'applied';
        ctx.out.write(`${mark.padEnd(8)} ${e.name}  ${e.executedAt.toISOString()}\n`);
      }
      for (const name of status.pending) ctx.out.write(`pending  ${name}\n`);
    }
    return status.changed.length > 0 ? 1 : 0;
  });
}
