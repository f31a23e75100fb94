/** `foodsave-db health`: the health report, with an exit code for each status. */
import { EXIT, positiveNumber } from './cli-args.js';
import { withEngine, type CliContext } from './cli-context.js';

const CODES = { healthy: EXIT.ok, degraded: EXIT.degraded, unhealthy: EXIT.failed } as const;

export async function health(ctx: CliContext): Promise<number> {
  const { checkDatabaseHealth } = await import('./ops/health.js');
  const timeoutMs = ctx.options.timeout === undefined ? undefined : positiveNumber('--timeout', ctx.options.timeout);
  return withEngine(ctx, async (engine) => {
    const report = await checkDatabaseHealth(engine, { timeoutMs });
    if (ctx.options.json) ctx.out.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      ctx.out.write(
        `${report.status}  ${(report.responseTime * 1000).toFixed(1)} ms  conversations=${report.conversationCount ?? '-'}  ` +
          `pending migrations=${report.pendingMigrations ?? '-'}${report.error ? `  error: ${report.error}` : ''}\n`,
      );
      for (const warning of report.warnings ?? []) ctx.out.write(`  ${warning}\n`);
      if (report.migrations?.pending.length) ctx.out.write("  Run 'foodsave-db migrate up' to apply them.\n");
      if (report.status === 'unhealthy') ctx.out.write('  Check that the server is up and that DATABASE_URL points at it.\n');
    }
    return CODES[report.status];
  });
}
