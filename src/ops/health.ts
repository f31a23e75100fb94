import { passwordOf, scrubSecrets } from '../config/redact.js';
import type { Engine, PoolStats } from '../engine/create-engine.js';
import type { ReplicaStatus } from '../engine/replica-status.js';
import { execute } from '../engine/execute.js';
import { ALL_ROWS } from '../engine/scoped-query.js';
import { quotedSchema } from '../db/run-statement.js';
import { placeNames } from '../db/sql.js';
import { T } from '../db/table-metadata.js';
import type { Migration } from '../migrations/migration.js';
import { pooledMigrationStatus, type MigrationStatus } from '../migrations/runner.js';

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
  /**
   * - `healthy`: the database answers and every migration is applied, unchanged.
   * - `degraded`: the database answers, but migrations are pending or changed since they ran, or their
   *   status could not be read, or a read replica is down or lagging (reads go to the others, then the
   *   primary); {@link HealthReport.warnings} says which. The library's tables may be
   *   missing or older than the code expects: run `runMigrations` (or `foodsave-db migrate up`).
   * - `unhealthy`: the database does not answer within the deadline; {@link HealthReport.error} says why.
   *
   * A liveness probe that only needs the server treats `degraded` as up (`status !== 'unhealthy'`).
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
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
  /**
   * The migrations check, as `migrationStatus` reports it but read on a connection of the engine's own
   * pool (no extra connection, the application's credentials): migrations not applied yet, applied ones whose SQL has changed since, and applied ones
   * this version does not know (applied by a newer version; these do not degrade the report). `null`
   * when unhealthy or when the status could not be read.
   */
  migrations: { pending: string[]; changed: string[]; unknown: string[] } | null;
  /**
   * Each read replica (`DATABASE_REPLICA_URLS`): its state (`up`, `lagging`, `down`, `unknown`) and lag
   * in seconds, checked within the report's deadline. Empty without replicas.
   */
  replicas: ReplicaStatus[];
  /** Why the report is `degraded`: one short line per problem, never a password. Only when degraded. */
  warnings?: string[];
  /** Why the check failed: one short line, never a password. Only when unhealthy. */
  error?: string;
}

type MigrationsCheck = { ok: true; status: MigrationStatus } | { ok: false; error: string };

/**
 * Checks that the database answers and that the library's migrations are applied, and reports the
 * document's health fields. It never throws, and it answers within `timeoutMs` even when the server is
 * down or the pool is exhausted (it does not wait out the pool's own acquire timeout).
 *
 * The status is `healthy`, `degraded` (pending or changed migrations, or a migration status that could
 * not be read) or `unhealthy` (no answer); see {@link HealthReport.status}.
 *
 * @example
 * ```ts
 * const report = await checkDatabaseHealth(engine, { timeoutMs: 1000 });
 * res.statusCode = report.status === 'unhealthy' ? 503 : 200;
 * if (report.status === 'degraded') logger.warn('database degraded', { warnings: report.warnings });
 * res.end(JSON.stringify(report));
 * ```
 */
export async function checkDatabaseHealth(engine: Engine, options: HealthCheckOptions = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  deadline.catch(() => undefined);
  // One after the other, so a check takes one pooled connection at a time; either may still finish after
  // the deadline, and each releases its connection itself.
  const probe = countConversations(engine, timeoutMs);
  probe.catch(() => undefined);
  // The replicas are other servers: checked alongside, and their last known state used past the deadline.
  const replicas = Promise.race([engine.checkReplicas(), deadline]).catch(() => engine.replicaStatus());
  const migrations = probe.then(
    () => checkMigrations(engine, options.migrations),
    (error: unknown) => failed(engine, error),
  );
  try {
    const count = await Promise.race([probe, deadline]);
    // Past the deadline the migrations check counts as unreadable: the database did answer.
    const check = await Promise.race([migrations, deadline.catch((error: unknown) => failed(engine, error))]);
    return withReplicas(withMigrations(report(engine, started, count), check), await replicas);
  } catch (error) {
    return { ...report(engine, started, null), status: 'unhealthy', error: shortError(engine, error), replicas: engine.replicaStatus() };
  } finally {
    clearTimeout(timer);
  }
}

/** The document's `conversations` count, or null before the migrations made the table. */
async function countConversations(engine: Engine, timeoutMs: number): Promise<number | null> {
  // Each statement carries the check's own deadline: a probe that outlives the report destroys its
  // connection rather than pinning it until the network comes back.
  const probeOptions = { deadlineMs: timeoutMs };
  const conversations = placeNames(T.conversations.text, quotedSchema(engine.settings.schema));
  const { rows } = await execute<{ exists: boolean }>(engine, 'SELECT to_regclass($1) IS NOT NULL AS exists', [conversations], probeOptions);
  if (!rows[0]?.exists) return null;
  // The count is every user's conversations: the back-office scope of the row-level security policies.
  return Number((await execute<{ n: string }>(engine, `SELECT count(*) AS n FROM ${conversations}`, [], { ...probeOptions, rowScope: ALL_ROWS })).rows[0]!.n);
}

/** The migration status, or why it could not be read; never rejects. */
async function checkMigrations(engine: Engine, list: readonly Migration[] | undefined): Promise<MigrationsCheck> {
  try {
    return { ok: true, status: await pooledMigrationStatus(engine, list ? { migrations: list } : {}) };
  } catch (error) {
    return failed(engine, error);
  }
}

function failed(engine: Engine, error: unknown): MigrationsCheck {
  return { ok: false, error: shortError(engine, error) };
}

/** A healthy report, degraded by what the migrations check found. */
function withMigrations(base: HealthReport, check: MigrationsCheck): HealthReport {
  if (!check.ok) {
    return { ...base, status: 'degraded', warnings: [`cannot read the migration status: ${check.error}`] };
  }
  const { pending, changed, unknown } = check.status;
  const warnings: string[] = [];
  if (pending.length > 0) warnings.push(`${count(pending.length, 'migration')} pending: ${span(pending)}`);
  if (changed.length > 0) warnings.push(`${count(changed.length, 'applied migration')} changed since they ran: ${changed.join(', ')}`);
  return {
    ...base,
    ...(warnings.length > 0 ? { status: 'degraded' as const, warnings } : {}),
    pendingMigrations: pending.length,
    migrations: { pending, changed, unknown },
  };
}

/** The replicas' states; one not serving reads degrades the report. */
function withReplicas(base: HealthReport, replicas: ReplicaStatus[]): HealthReport {
  const warnings = replicas
    .filter((r) => r.state === 'down' || r.state === 'lagging')
    .map((r) => (r.state === 'down' ? `replica ${r.name} is down: ${r.error ?? 'unreachable'}` : `replica ${r.name} lags ${r.lagSeconds?.toFixed(1)} s`));
  if (warnings.length === 0) return { ...base, replicas };
  return { ...base, replicas, status: 'degraded', warnings: [...(base.warnings ?? []), ...warnings] };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `a`, `a, b`, or `a ... z` for a longer list, so a warning stays one short line. */
function span(names: readonly string[]): string {
  return names.length <= 2 ? names.join(', ') : `${names[0]} ... ${names.at(-1)}`;
}

function report(engine: Engine, started: number, conversationCount: number | null): HealthReport {
  const stats = engine.poolStats();
  return {
    status: 'healthy',
    responseTime: (performance.now() - started) / 1000,
    conversationCount,
    poolSize: stats.size,
    checkedIn: stats.available,
    checkedOut: stats.inUse,
    overflow: Math.max(0, stats.size - stats.min),
    invalid: stats.discarded,
    pool: { size: stats.size, available: stats.available, inUse: stats.inUse, waiting: stats.waiting, max: stats.max },
    pendingMigrations: null,
    migrations: null,
    replicas: [],
  };
}

function shortError(engine: Engine, error: unknown): string {
  const raw = error instanceof Error ? error.message || error.name : String(error);
  const { primary, migration } = engine.connections;
  const line = scrubSecrets(raw.split('\n')[0] ?? '', [passwordOf(engine.connectionUrl), primary.password, migration.password]);
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
