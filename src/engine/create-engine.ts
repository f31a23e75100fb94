import { Sequelize, type Options as SequelizeOptions } from 'sequelize';
import { resolveConnectionSettings, TARGET_SESSION_ATTRS, withTarget, type ConnectionSettings, type TargetSessionAttrs } from '../config/connection-settings.js';
import { hostLabel, type HostPort } from '../config/connection-url.js';
import { ENV_VARIABLES, resolveDatabaseConfig, type DatabaseConfig, type DatabaseConfigInput } from '../config/database-config.js';
import { INPUT_BOUNDS, resolveInputBounds, type InputBounds } from '../config/input-bounds.js';
import { redactUrl } from '../config/redact.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { defineModels, type Models } from '../models/index.js';
import { installConnector, sessionStatement } from './connector.js';
import { EngineEvents } from './engine-events.js';
import { HostTracker } from './host-selection.js';
import { silentLogger, type Logger } from './logger.js';
import { driver, type DeadlineClient } from './pg-driver.js';
import { queryPool } from './pool-access.js';
import { instrumentPool, instrumentQueries } from './pool-instrumentation.js';
import { LAG_SQL, ReplicaSet, type ReplicaMember } from './replica-set.js';
import { StatementNames } from './statement-names.js';
import type { ReplicaStatus } from './replica-status.js';

/** Options for {@link createEngine}. Every setting not given here is read from the environment. */
export interface EngineOptions extends Partial<DatabaseConfigInput> {
  /** Where unset settings come from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Receives echo output and warnings. Default: a silent logger. */
  logger?: Logger;
  /**
   * Seconds an overflow connection (one above `poolSize`) may sit idle before it is closed.
   * Default: 10.
   */
  overflowIdleTimeout?: number;
  /**
   * Server settings for this engine's sessions, such as `{ random_page_cost: 1.1 }`, applied with
   * `set_config` on each new connection, never as startup options (PgBouncer and other poolers refuse
   * those). Behind a transaction-mode pooler a session setting does not follow your statements; set it on
   * the role instead (`ALTER ROLE app SET ...`). Default: `{}`: the hot queries are designed to plan
   * well at the server's defaults.
   */
  sessionSettings?: Record<string, string | number>;
  /** `application_name` reported to the server, unless the URL sets one. Default: `foodsave-db`. */
  applicationName?: string;
  /**
   * Extra Sequelize options, merged last. Use with care: `pool`, `logging` and `dialect` are managed here.
   * Default: none.
   */
  sequelizeOptions?: Omit<SequelizeOptions, 'pool' | 'dialect' | 'dialectModule' | 'logging'>;
  /**
   * Adopt the host's own Sequelize instance and its pool instead of opening a second pool. The library's
   * models are added to it under prefixed names (`FoodsaveUser`, ...), so the host's models stay, and a
   * host transaction can be passed to any library call as `{ transaction }`.
   *
   * On an adopted instance the library adds its events, pool statistics, metrics and `poolRecycle` (joined
   * with the host's own validation), but leaves the rest to the host: the pool's size and timeouts, TLS,
   * `statement_timeout` and `sessionSettings`, and the client-side `queryTimeout` deadline (use pg's
   * `query_timeout` in your `dialectOptions`). `close()` does not close it.
   * Migrations open their own connection: to `migrationUrl` when given, else to `url` or `DATABASE_URL`,
   * else to a URL built from the instance's host, port, database and user (an instance with TLS or a Unix
   * socket needs `url`). The options that configure the engine's own pool and sessions (`poolSize`,
   * `sessionSettings`, ...) are refused with an adopted instance. Default: none; the engine creates its
   * own instance.
   */
  sequelize?: Sequelize;
  /**
   * Changes to the bounds on input sizes ({@link INPUT_BOUNDS}: text lengths, JSON size and depth, date
   * ranges, list lengths), such as `{ messageChars: 500_000 }`. Default: none; every bound is its default.
   */
  inputBounds?: Partial<InputBounds>;
  /**
   * The primary's candidate hosts, in order, in place of the URL's host list (libpq's multi-host syntax,
   * `postgres://u:p@h1:5432,h2:5432/db`, says the same). Connections go to the first that answers and
   * matches `targetSessionAttrs`; after a lost connection or a write refused as read-only (25006), the
   * engine drops its connections and searches again. Default: the URL's hosts.
   */
  hosts?: readonly { host: string; port?: number }[];
  /**
   * libpq's `target_session_attrs` for the primary's hosts: `any`, `read-write`, `read-only`, `primary`,
   * `standby` or `prefer-standby`. Default: the URL's, else `any`. With several hosts, use `read-write`
   * (or `primary`), so that writes find the writable one.
   */
  targetSessionAttrs?: TargetSessionAttrs;
}

/** Pool occupancy, read live from the pool. */
export interface PoolStats {
  /** Open connections (idle and in use). */
  size: number;
  /** Idle connections ready to be handed out. */
  available: number;
  /** Connections handed out. */
  inUse: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** The most connections the pool opens: `poolSize + maxOverflow`. */
  max: number;
  /** Connections kept when idle: `poolSize`. */
  min: number;
  /** Connections closed since the engine started because they were broken or older than `poolRecycle`. */
  discarded: number;
}

/** Settings in force, with the password removed from the URLs. */
export type EngineSettings = DatabaseConfig;

/** Options for {@link Engine.close}. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for calls in flight before destroying the connections left (their calls fail
   * with `ConnectionError`). Default: `DATABASE_CLOSE_TIMEOUT` (10 s).
   */
  timeoutMs?: number;
}

/**
 * A database engine: one Sequelize instance, its pool and its own set of models.
 * Create one per database per process, share it, and `close()` it on shutdown.
 */
export interface Engine {
  /** The Sequelize instance. Its models are `engine.models`, bound to this instance only. */
  readonly sequelize: Sequelize;
  /** The models, bound to this engine (decision 13: no process-wide state). */
  readonly models: Models;
  /** The settings in force; `url` has its password replaced by `***`. */
  readonly settings: EngineSettings;
  /** Query and pool events: what echo logging and the metrics hooks listen to. */
  readonly events: EngineEvents;
  /** The logger passed in, or the silent default. */
  readonly logger: Logger;
  /** The bounds on input sizes in force: {@link INPUT_BOUNDS} with the `inputBounds` option's changes. */
  readonly inputBounds: InputBounds;
  /** Live pool statistics. */
  poolStats(): PoolStats;
  /**
   * Drains the pool and closes every connection. It waits at most `timeoutMs` for calls in flight, then
   * destroys what is left, so it returns in bounded time even on a dead network. Safe to call twice.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Whether the Sequelize instance is the host's, adopted with the `sequelize` option. */
  readonly adopted: boolean;
  /** @internal The full URL, for helpers (migrations' lock client, backups) that open their own connection. */
  readonly connectionUrl: string;
  /** @internal How to reach the server (`primary`) and where migrations run (`migration`). */
  readonly connections: { readonly primary: ConnectionSettings; readonly migration: ConnectionSettings };
  /**
   * Each read replica's state at its last check (`DATABASE_REPLICA_URLS`): up, lagging, down or not yet
   * checked, with its lag in seconds. Empty without replicas.
   */
  replicaStatus(): ReplicaStatus[];
  /** Checks every replica now (lag and reachability) and returns their states. Empty without replicas. */
  checkReplicas(): Promise<ReplicaStatus[]>;
  /**
   * @internal Where statements go: the primary's hosts, the replicas (undefined without any), and which
   * statements are sent named.
   */
  readonly routing: { readonly hosts: HostTracker; readonly replicas: ReplicaSet | undefined; readonly statements: StatementNames };
}

/**
 * The minimum shape of Sequelize's internal pool that the library reads. Sequelize does not type it.
 * @internal
 */
export interface RawPool {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
  minSize: number;
}

/**
 * Creates an engine from the `DATABASE_*` environment variables, with explicit options taking precedence.
 *
 * Pool mapping from the design document's SQLAlchemy settings:
 * - `max = poolSize + maxOverflow`, `acquire = poolTimeout`.
 * - Overflow: Sequelize's pool has no overflow, but it only reaps idle connections while more than `min`
 *   are open. With `min = poolSize`, connections above the pool size are closed after
 *   `overflowIdleTimeout` seconds idle, and `poolSize` connections stay open, as with SQLAlchemy.
 *   One difference: after a connection is discarded, the pool reopens connections up to `poolSize`.
 * - Recycle: each connection is stamped when it connects; the pool's `validate` refuses one older than
 *   `poolRecycle`, so it is closed and replaced instead of handed out (sequelize-pool#51).
 *
 * Production behaviour:
 * - Connections follow the URL's `sslmode` as libpq does ({@link resolveConnectionSettings}), and send no
 *   startup options unless the URL has `options`, so poolers (PgBouncer, RDS Proxy) accept them.
 * - `statement_timeout` and `sessionSettings` are applied with `set_config` on each new connection.
 * - Every statement has a client-side deadline (`queryTimeout`); past it the connection is destroyed.
 *   TCP keepalive is on. `close()` is bounded by `closeTimeout`.
 *
 * @throws {ConfigError} when a setting is missing or invalid.
 * @example
 * ```ts
 * const engine = createEngine({ url: 'postgres://app:secret@localhost/foodsave', poolSize: 5 });
 * await engine.sequelize.authenticate();
 * await engine.close();
 * ```
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const { env = process.env, logger = silentLogger, sequelize: adopted } = options;
  if (adopted) checkAdoptable(adopted, options);
  const inputBounds = resolveInputBounds(options.inputBounds);
  // Every config field is an option of the same name; the list of them lives in ENV_VARIABLES alone.
  const explicit = Object.fromEntries(Object.keys(ENV_VARIABLES).map((field) => [field, options[field as keyof DatabaseConfig]]));
  const config = resolveDatabaseConfig(env, {
    ...explicit,
    url: options.url ?? (adopted && !env.DATABASE_URL ? adoptedUrl(adopted) : undefined),
  });
  const primary = primarySettings(resolveConnectionSettings(config.url), options);
  const migration = config.migrationUrl ? resolveConnectionSettings(config.migrationUrl, 'DATABASE_MIGRATION_URL') : primary;
  const events = new EngineEvents();
  // Before anything touches an adopted instance: replicas are refused with one.
  const replicas = createReplicas(config, options, events);
  const hosts = new HostTracker(primary);
  const pool = createPoolPolicy(config, hosts);
  const live = new Set<DeadlineClient>();
  const sequelize = adopted ?? ownSequelize(config, hosts, options, pool.validate);
  pool.bind(sequelize, adopted !== undefined);
  trackConnections(sequelize, live, pool, events);
  instrumentPool(sequelize, events);
  instrumentQueries(sequelize, events);
  logEvents(events, logger, config);

  const models = defineModels(sequelize, { schema: config.schema });
  let closing: Promise<void> | undefined;
  const closeAll = async (timeoutMs: number) => {
    replicas?.set.close();
    await Promise.all([
      adopted ? undefined : closeBounded(sequelize, live, timeoutMs),
      ...(replicas?.pools ?? []).map((p) => closeBounded(p.sequelize, p.live, timeoutMs)),
    ]);
  };
  return {
    sequelize,
    models,
    events,
    logger,
    inputBounds,
    adopted: adopted !== undefined,
    connectionUrl: config.url,
    connections: { primary, migration },
    routing: { hosts, replicas: replicas?.set, statements: new StatementNames(config.preparedStatements, logger) },
    settings: redactedSettings(config),
    poolStats: () => pool.stats(),
    replicaStatus: () => replicas?.set.status() ?? [],
    async checkReplicas() {
      await replicas?.set.check();
      return replicas?.set.status() ?? [];
    },
    close(closeOptions: CloseOptions = {}) {
      // An adopted instance belongs to the host, which closes it; the replicas' pools are the engine's.
      closing ??= closeAll(closeOptions.timeoutMs ?? config.closeTimeout * 1000);
      return closing;
    },
  };
}

/**
 * Keeps the open connections in `live` (for a bounded close) and stamps each for recycling; with `events`,
 * reports connects and disconnects (the primary's pool; the replicas' pools are reported by their state).
 */
function trackConnections(sequelize: Sequelize, live: Set<DeadlineClient>, pool: ReturnType<typeof createPoolPolicy>, events?: EngineEvents): void {
  sequelize.addHook('afterConnect', (connection: unknown) => {
    live.add(connection as DeadlineClient);
    pool.born(connection as object);
    events?.emit('connect', {});
  });
  sequelize.addHook('afterDisconnect', (connection: unknown) => {
    live.delete(connection as DeadlineClient);
    events?.emit('disconnect', pool.wasRecycled(connection as object) ? { reason: 'recycled' } : {});
  });
}

/** The URL's settings, with the `hosts` and `targetSessionAttrs` options in place of its own. */
function primarySettings(settings: ConnectionSettings, options: EngineOptions): ConnectionSettings {
  if (options.hosts === undefined && options.targetSessionAttrs === undefined) return settings;
  const issues: ConfigIssue[] = [];
  if (options.targetSessionAttrs !== undefined && !TARGET_SESSION_ATTRS.includes(options.targetSessionAttrs)) {
    issues.push({ variable: 'targetSessionAttrs', message: `must be one of ${TARGET_SESSION_ATTRS.join(', ')}` });
  }
  const hosts: HostPort[] = (options.hosts ?? settings.hosts).map((h) => ({ host: h.host, port: h.port ?? 5432 }));
  const badHost = hosts.length === 0 || hosts.length > 64 || hosts.some((h) => typeof h.host !== 'string' || h.host === '' || h.host.length > 255 || !Number.isInteger(h.port) || h.port < 1 || h.port > 65_535);
  if (badHost) issues.push({ variable: 'hosts', message: 'must list 1 to 64 hosts, each a host name (at most 255 characters) and a port from 1 to 65535' });
  if (issues.length > 0) throw new ConfigError(issues);
  return withTarget(settings, options.targetSessionAttrs ?? settings.targetSessionAttrs, hosts);
}

/** A replica's own pool: a Sequelize instance without models, with the primary's limits and deadlines. */
interface ReplicaPool {
  sequelize: Sequelize;
  live: Set<DeadlineClient>;
}

/** The replicas' pools and the set that routes reads among them; undefined without replicas. */
function createReplicas(config: DatabaseConfig, options: EngineOptions, events: EngineEvents): { set: ReplicaSet; pools: ReplicaPool[] } | undefined {
  if (config.replicaUrls.length === 0) return undefined;
  if (options.sequelize) throw new ConfigError([{ variable: 'replicaUrls', message: 'does not apply to an adopted instance' }]);
  const pools: ReplicaPool[] = [];
  const members: ReplicaMember[] = config.replicaUrls.map((url) => {
    const settings = resolveConnectionSettings(url, 'DATABASE_REPLICA_URLS');
    const tracker = new HostTracker(settings);
    const policy = createPoolPolicy(config, tracker);
    const sequelize = ownSequelize(config, tracker, options, policy.validate);
    policy.bind(sequelize, false);
    const live = new Set<DeadlineClient>();
    trackConnections(sequelize, live, policy);
    pools.push({ sequelize, live });
    const name = hostLabel(settings);
    return { name, settings, sequelize, status: { name, state: 'unknown', lagSeconds: null, standby: null, checkedAt: null } };
  });
  // A check must not wait as long as a query may: a silent replica is found out within a few seconds.
  const deadlineMs = Math.min(config.queryTimeout > 0 ? config.queryTimeout * 1000 : 5000, 5000);
  const set = new ReplicaSet(members, {
    maxLagSeconds: config.replicaMaxLag,
    intervalMs: Math.round(config.replicaCheckInterval * 1000),
    events,
    probe: async (member) => {
      const row = (await queryPool<{ standby: boolean; lag: number }>(member.sequelize, LAG_SQL, deadlineMs))[0]!;
      return { standby: row.standby, lag: Number(row.lag) };
    },
  });
  return { set, pools };
}

/** The settings with every URL's password replaced by `***`. */
function redactedSettings(config: DatabaseConfig): EngineSettings {
  const { migrationUrl } = config;
  return { ...config, url: redactUrl(config.url), replicaUrls: config.replicaUrls.map(redactUrl), ...(migrationUrl ? { migrationUrl: redactUrl(migrationUrl) } : {}) };
}

/** The engine's own Sequelize instance, connecting as libpq would and applying the session settings. */
function ownSequelize(
  config: DatabaseConfig,
  hosts: HostTracker,
  options: EngineOptions,
  validate: (connection: object) => boolean,
): Sequelize {
  const primary = hosts.settings;
  const session = sessionStatement({
    ...(config.statementTimeout > 0 ? { statement_timeout: Math.round(config.statementTimeout * 1000) } : {}),
    ...(options.sessionSettings ?? {}),
  });
  const sequelize = new Sequelize(sequelizeConfig(config, primary, options, validate));
  installConnector(sequelize, hosts, session);
  return sequelize;
}

/** Options that configure the engine's own pool and sessions: meaningless on a host's instance. */
const OWN_INSTANCE_OPTIONS = [
  'hosts', 'targetSessionAttrs', 'poolSize', 'maxOverflow', 'poolTimeout', 'queryTimeout', 'statementTimeout', 'connectTimeout', 'closeTimeout',
  'overflowIdleTimeout', 'sessionSettings', 'applicationName', 'sequelizeOptions',
] as const;

/** An adopted instance must be PostgreSQL's, and must not come with options only the engine's own pool reads. */
function checkAdoptable(sequelize: Sequelize, options: EngineOptions): void {
  const issues: ConfigIssue[] = [];
  if (sequelize.getDialect() !== 'postgres') issues.push({ variable: 'sequelize', message: `must use the postgres dialect, not ${sequelize.getDialect()}` });
  for (const name of OWN_INSTANCE_OPTIONS) {
    if (options[name] !== undefined) issues.push({ variable: name, message: "does not apply to an adopted instance: configure the host's Sequelize instead" });
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * A URL for the adopted instance's own server, for what opens its own connection (the migration lock
 * client), when neither `url` nor `DATABASE_URL` gives one. Built from the instance's settings; an
 * instance with TLS, a Unix socket or a URL of its own cannot be rebuilt faithfully, so those need `url`.
 */
function adoptedUrl(sequelize: Sequelize): string {
  const c = sequelize.config as { host?: string; port?: string | number; database?: string; username?: string; password?: string | null };
  const options = (sequelize as unknown as { options: { ssl?: unknown; dialectOptions?: { ssl?: unknown } } }).options;
  const host = c.host ?? 'localhost';
  if (options.dialectOptions?.ssl || options.ssl || host.startsWith('/')) {
    throw new ConfigError([
      { variable: 'url', message: 'is required with an adopted instance that uses TLS or a Unix socket: give the URL migrations should connect with (or DATABASE_URL)' },
    ]);
  }
  const url = new URL('postgres://localhost');
  url.hostname = host.includes(':') ? `[${host}]` : host;
  if (c.port) url.port = String(c.port);
  url.pathname = '/' + encodeURIComponent(c.database ?? '');
  if (c.username) url.username = encodeURIComponent(c.username);
  if (c.password) url.password = encodeURIComponent(c.password);
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

function sequelizeConfig(
  config: DatabaseConfig,
  primary: ConnectionSettings,
  options: EngineOptions,
  validate: (connection: object) => boolean,
): SequelizeOptions {
  const acquireMs = Math.round(config.poolTimeout * 1000);
  // `databaseVersion` is a real Sequelize option that its typings omit.
  const sequelizeConfig: SequelizeOptions & { databaseVersion: string } = {
    dialect: 'postgres',
    dialectModule: driver,
    host: primary.host,
    port: primary.port,
    database: primary.database,
    username: primary.user,
    password: primary.password,
    dialectOptions: {
      application_name: primary.applicationName ?? options.applicationName ?? 'foodsave-db',
      connectionTimeoutMillis: Math.round((primary.connectTimeout ?? config.connectTimeout) * 1000),
      query_timeout: Math.round(config.queryTimeout * 1000),
      // Only what the URL itself asks for travels as startup options: poolers refuse them.
      ...(primary.options ? { options: primary.options } : {}),
    },
    pool: {
      max: config.poolSize + config.maxOverflow,
      min: config.poolSize,
      acquire: acquireMs,
      idle: Math.round((options.overflowIdleTimeout ?? 10) * 1000),
      evict: 1000,
      validate,
    },
    // Known up front, so Sequelize does not open a throwaway connection to ask (decision 1: 13+).
    databaseVersion: '13.0.0',
    // Echo is driven by the engine's query events, which also see failed statements.
    logging: false,
    ...options.sequelizeOptions,
  };
  return sequelizeConfig;
}

/**
 * The pool's recycling and statistics. Each connection is stamped when it connects; `validate` refuses
 * one older than `poolRecycle`, so it is closed and replaced instead of handed out (sequelize-pool#51).
 */
function createPoolPolicy(config: DatabaseConfig, hosts: HostTracker) {
  const connectedAt = new WeakMap<object, number>();
  const recycled = new WeakSet<object>();
  const recycleMs = config.poolRecycle === -1 ? Infinity : config.poolRecycle * 1000;
  let sequelize: Sequelize | undefined;
  let discarded = 0;
  const expired = (connection: object): boolean => {
    const born = connectedAt.get(connection);
    if (born === undefined || Date.now() - born < recycleMs) return false;
    recycled.add(connection);
    discarded += 1;
    return true;
  };
  return {
    /** With an adopted instance, recycling joins the host's own validation on the pool it already has. */
    bind(instance: Sequelize, adopted: boolean) {
      sequelize = instance;
      if (!adopted) return;
      for (const p of poolsOf(instance)) {
        const hostValidate = p._factory.validate.bind(p._factory);
        p._factory.validate = (connection: object) => {
          if (expired(connection)) return false;
          const valid = hostValidate(connection);
          if (!valid) discarded += 1;
          return valid;
        };
      }
    },
    born(connection: object) {
      connectedAt.set(connection, Date.now());
    },
    wasRecycled: (connection: object) => recycled.has(connection),
    validate(connection: object): boolean {
      if (expired(connection)) return false;
      // Made before the primary changed (a failover): close it rather than write to the old server.
      if (hosts.stale(connection)) {
        discarded += 1;
        return false;
      }
      // Keep Sequelize's own check (a custom validate replaces it).
      const valid = (sequelize!.connectionManager as unknown as { validate(c: object): boolean }).validate(connection);
      if (!valid) discarded += 1;
      return valid;
    },
    stats(): PoolStats {
      const pool = sequelize && rawPool(sequelize);
      if (!pool) {
        const max = config.poolSize + config.maxOverflow;
        return { size: 0, available: 0, inUse: 0, waiting: 0, max, min: config.poolSize, discarded };
      }
      return { size: pool.size, available: pool.available, inUse: pool.using, waiting: pool.waiting, max: pool.maxSize, min: pool.minSize, discarded };
    },
  };
}

interface FactoryPool {
  _factory: { validate(connection: object): boolean };
}

/** sequelize-pool's pools of an instance: one, or a read and a write pool with replication. */
function poolsOf(sequelize: Sequelize): FactoryPool[] {
  const pool = (sequelize.connectionManager as unknown as { pool?: Partial<FactoryPool> & { read?: FactoryPool; write?: FactoryPool } }).pool;
  if (!pool) return [];
  if (pool._factory) return [pool as FactoryPool];
  return [pool.read, pool.write].filter((p): p is FactoryPool => p?._factory !== undefined);
}

function logEvents(events: EngineEvents, logger: Logger, config: DatabaseConfig): void {
  // Always on: a replica leaving or rejoining the rotation is something an operator wants to see.
  events.on('replica', (e) => {
    const fields = { replica: e.name, lagSeconds: e.lagSeconds, ...(e.error ? { error: e.error } : {}) };
    if (e.state === 'up') logger.info('replica serving reads', fields);
    else logger.warn(`replica ${e.state}: reads skip it`, fields);
  });
  if (config.echo) {
    events.on('query', (e) =>
      e.error
        ? logger.warn(e.sql, { durationMs: round(e.durationMs), error: e.error.message })
        : logger.info(e.sql, { durationMs: round(e.durationMs) }),
    );
  }
  if (config.echoPool) {
    events.on('connect', () => logger.info('pool connect'));
    events.on('disconnect', (e) => logger.info('pool disconnect', e.reason ? { reason: e.reason } : {}));
    events.on('acquire', (e) => logger.info('pool acquire', { waitMs: e.waitMs }));
    events.on('release', () => logger.info('pool release'));
    events.on('acquireTimeout', (e) => logger.warn('pool acquire timeout', { waitMs: e.waitMs }));
  }
}

/**
 * Sequelize's close drains the pool, which waits for every call in flight, and then ends each connection
 * politely, which waits for the server's answer: both unbounded on a dead network. Past the timeout,
 * every socket is destroyed, which fails the calls still running and lets the drain finish.
 */
async function closeBounded(sequelize: Sequelize, live: Set<DeadlineClient>, timeoutMs: number): Promise<void> {
  const closing = sequelize.close();
  closing.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([closing.then(() => 'closed' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'closed') return;
  for (const connection of live) connection.expire('closed');
  live.clear();
  // The drain now ends as the failed calls release their connections; do not wait on it unbounded.
  await Promise.race([closing.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
}

/**
 * Closes an engine's pool. The same as `engine.close()`, for hosts that prefer a function.
 *
 * @example
 * ```ts
 * process.on('SIGTERM', () => void closeEngine(engine));
 * ```
 */
export function closeEngine(engine: Engine): Promise<void> {
  return engine.close();
}

/** @internal Sequelize's pool, once created (it is created lazily on first use). */
export function rawPool(sequelize: Sequelize): RawPool | undefined {
  const manager = sequelize.connectionManager as unknown as { pool?: { write?: RawPool } & Partial<RawPool> };
  const pool = manager.pool;
  if (!pool) return undefined;
  return (pool.write ?? pool) as RawPool;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
