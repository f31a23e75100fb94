import { passwordOf, scrubSecrets } from '../config/redact.js';
import type { Engine, PoolStats } from '../engine/create-engine.js';
import { execute } from '../engine/execute.js';
import { migrations as libraryMigrations } from '../migrations/index.js';
import type { Migration } from '../migrations/migration.js';

/** Options for {@link checkDatabaseHealth}. */
export interface HealthCheckOptions {
  /** The whole check's deadline in ms; past it the report says `unhealthy`. Default: 2000. */
  timeoutMs?: number;
  /** Migrations to count as pending when not applied. Default: the library's own. */
  migrations?: readonly Migration[];
}

/**
 * The design document's health report, with its field names in camelCase (`response_time` →
 * `responseTime`, `checked_in` → `checkedIn`, ...) and the library's additions.
 */
export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  /** Seconds the check took, as in the document. */
  responseTime: number;
  /** Rows in `conversations`; `null` when unhealthy or not yet migrated. */
  conversationCount: number | null;
  /** The document's pool fields. */
  poolSize: number;
  checkedIn: number;
  checkedOut: number;
  /** Open connections above `poolSize`. */
  overflow: number;
  /** Connections discarded as broken or too old since the engine started. */
  invalid: number;
  /** Live pool statistics. */
  pool: Pick<PoolStats, 'size' | 'available' | 'inUse' | 'waiting' | 'max'>;
  /** Library migrations not applied yet; `null` when it could not be read. */
  pendingMigrations: number | null;
  /** Why the check failed: one short line, never a password. Only when unhealthy. */
  error?: string;
}

/**
 * Checks that the database answers and reports the document's health fields. It never throws, and it
 * answers within `timeoutMs` even when the server is down or the pool is exhausted (it does not wait
 * out the pool's own acquire timeout).
 *
 * @example
 * ```ts
 * const report = await checkDatabaseHealth(engine, { timeoutMs: 1000 });
 * res.statusCode = report.status === 'healthy' ? 200 : 503;
 * res.end(JSON.stringify(report));
 * ```
 */
export async function checkDatabaseHealth(engine: Engine, options: HealthCheckOptions = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const list = options.migrations ?? libraryMigrations;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // Each statement carries the check's own deadline: a probe that outlives the report destroys its
    // connection rather than pinning it until the network comes back.
    const probeOptions = { deadlineMs: timeoutMs };
    const probe = (async () => {
      const { rows } = await execute<{ conversations: boolean; migrations: boolean }>(
        engine,
        "SELECT to_regclass('public.conversations') IS NOT NULL AS conversations, to_regclass('public.foodsave_db_migrations') IS NOT NULL AS migrations",
        [],
        probeOptions,
      );
      const exists = rows[0]!;
      const count = exists.conversations
        ? Number((await execute<{ n: string }>(engine, 'SELECT count(*) AS n FROM conversations', [], probeOptions)).rows[0]!.n)
        : null;
      const executed = exists.migrations
        ? new Set((await execute<{ name: string }>(engine, 'SELECT name FROM foodsave_db_migrations', [], probeOptions)).rows.map((r) => r.name))
        : new Set<string>();
      return { count, pending: list.filter((m) => !executed.has(m.name)).length };
    })();
    // The probe may still finish after the deadline; it releases its connection itself.
    probe.catch(() => undefined);
    const { count, pending } = await Promise.race([probe, deadline]);
    return report(engine, 'healthy', started, count, pending);
  } catch (error) {
    return { ...report(engine, 'unhealthy', started, null, null), error: shortError(engine, error) };
  } finally {
    clearTimeout(timer);
  }
}

function report(
  engine: Engine,
  status: HealthReport['status'],
  started: number,
  conversationCount: number | null,
  pendingMigrations: number | null,
): HealthReport {
  const stats = engine.poolStats();
  return {
    status,
    responseTime: (performance.now() - started) / 1000,
    conversationCount,
    poolSize: stats.size,
    checkedIn: stats.available,
    checkedOut: stats.inUse,
    overflow: Math.max(0, stats.size - engine.settings.poolSize),
    invalid: stats.discarded,
    pool: { size: stats.size, available: stats.available, inUse: stats.inUse, waiting: stats.waiting, max: stats.max },
    pendingMigrations,
  };
}

function shortError(engine: Engine, error: unknown): string {
  const raw = error instanceof Error ? error.message || error.name : String(error);
  const line = scrubSecrets(raw.split('\n')[0] ?? '', [passwordOf(engine.connectionUrl)]);
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
