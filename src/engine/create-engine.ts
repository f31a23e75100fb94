import pg from 'pg';
import { Sequelize, type Options as SequelizeOptions } from 'sequelize';
import { parseConnectionUrl } from '../config/connection-url.js';
import { resolveDatabaseConfig, type DatabaseConfig, type DatabaseConfigInput } from '../config/database-config.js';
import { redactUrl } from '../config/redact.js';
import { ConfigError } from '../errors.js';
import { defineModels, type Models } from '../models/index.js';
import { EngineEvents } from './engine-events.js';
import { silentLogger, type Logger } from './logger.js';
import { instrumentPool, instrumentQueries } from './pool-instrumentation.js';

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
   * Server settings for this engine's sessions, sent as startup options (`-c name=value`), so they apply
   * to the library's connections only, never to the database as a whole.
   *
   * Default: `{ random_page_cost: 1.1 }`. PostgreSQL's 4 is the spinning-disk figure; on SSD or cloud
   * storage it makes the planner prefer a bitmap scan plus a sort over the ordered index scans the
   * repositories are built on (at 1M pantry rows, 2x slower here). Pass `{}` to keep the server's values.
   */
  sessionSettings?: Record<string, string | number>;
  /** `application_name` reported to the server, unless the URL sets one. Default: `foodsave-db`. */
  applicationName?: string;
  /**
   * Extra Sequelize options, merged last. Use with care: `pool`, `logging` and `dialect` are managed here.
   * Default: none.
   */
  sequelizeOptions?: Omit<SequelizeOptions, 'pool' | 'dialect' | 'dialectModule' | 'logging'>;
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

/** Settings in force, with the password removed from the URL. */
export type EngineSettings = Omit<DatabaseConfig, 'url'> & { url: string };

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
  /** Live pool statistics. */
  poolStats(): PoolStats;
  /** Drains the pool and closes every connection. Safe to call twice. */
  close(): Promise<void>;
  /** @internal The full URL, for helpers (migrations' lock client, backups) that open their own connection. */
  readonly connectionUrl: string;
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
 * @throws {ConfigError} when a setting is missing or invalid.
 * @example
 * ```ts
 * const engine = createEngine({ url: 'postgres://app:secret@localhost/foodsave', poolSize: 5 });
 * await engine.sequelize.authenticate();
 * await engine.close();
 * ```
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const {
    env = process.env,
    logger = silentLogger,
    overflowIdleTimeout = 10,
    applicationName,
    sequelizeOptions,
    sessionSettings = DEFAULT_SESSION_SETTINGS,
  } = options;
  const config = resolveDatabaseConfig(env, {
    url: options.url,
    poolSize: options.poolSize,
    maxOverflow: options.maxOverflow,
    poolTimeout: options.poolTimeout,
    poolRecycle: options.poolRecycle,
    echo: options.echo,
    echoPool: options.echoPool,
  });
  const parts = parseConnectionUrl(config.url);
  const events = new EngineEvents();
  const connectedAt = new WeakMap<object, number>();
  const recycled = new WeakSet<object>();
  const recycleMs = config.poolRecycle === -1 ? Infinity : config.poolRecycle * 1000;
  const acquireMs = Math.round(config.poolTimeout * 1000);

  // Assigned right below; `validate` only runs once the pool exists.
  let sequelize: Sequelize;
  let discarded = 0;
  const validate = (connection: object): boolean => {
    const born = connectedAt.get(connection);
    if (born !== undefined && Date.now() - born >= recycleMs) {
      recycled.add(connection);
      discarded += 1;
      return false;
    }
    // Keep Sequelize's own check (a custom validate replaces it).
    const valid = (sequelize.connectionManager as unknown as { validate(c: object): boolean }).validate(connection);
    if (!valid) discarded += 1;
    return valid;
  };

  // `databaseVersion` is a real Sequelize option that its typings omit.
  const sequelizeConfig: SequelizeOptions & { databaseVersion: string } = {
    dialect: 'postgres',
    dialectModule: pg,
    host: parts.host,
    port: parts.port,
    database: parts.database,
    username: parts.user,
    password: parts.password,
    dialectOptions: {
      application_name: parts.params.application_name ?? applicationName ?? 'foodsave-db',
      connectionTimeoutMillis: acquireMs,
      ...sslOptions(parts.params.sslmode),
      ...startupOptions(parts.params.options, sessionSettings),
    },
    pool: {
      max: config.poolSize + config.maxOverflow,
      min: config.poolSize,
      acquire: acquireMs,
      idle: Math.round(overflowIdleTimeout * 1000),
      evict: 1000,
      validate,
    },
    // Known up front, so Sequelize does not open a throwaway connection to ask (decision 1: 13+).
    databaseVersion: '13.0.0',
    // Echo is driven by the engine's query events (below), which also see failed statements.
    logging: false,
    ...sequelizeOptions,
  };
  sequelize = new Sequelize(sequelizeConfig);

  sequelize.addHook('afterConnect', (connection: unknown) => {
    connectedAt.set(connection as object, Date.now());
    events.emit('connect', {});
  });
  sequelize.addHook('afterDisconnect', (connection: unknown) => {
    events.emit('disconnect', recycled.has(connection as object) ? { reason: 'recycled' } : {});
  });
  instrumentPool(sequelize, events);
  instrumentQueries(sequelize, events);

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

  const models = defineModels(sequelize);
  let closing: Promise<void> | undefined;

  return {
    sequelize,
    models,
    events,
    logger,
    connectionUrl: config.url,
    settings: { ...config, url: redactUrl(config.url) },
    poolStats() {
      const pool = rawPool(sequelize);
      return pool
        ? {
            size: pool.size,
            available: pool.available,
            inUse: pool.using,
            waiting: pool.waiting,
            max: pool.maxSize,
            min: pool.minSize,
            discarded,
          }
        : { size: 0, available: 0, inUse: 0, waiting: 0, max: config.poolSize + config.maxOverflow, min: config.poolSize, discarded };
    },
    close() {
      closing ??= sequelize.close();
      return closing;
    },
  };
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

const DEFAULT_SESSION_SETTINGS: Record<string, string | number> = { random_page_cost: 1.1 };

function startupOptions(fromUrl: string | undefined, settings: Record<string, string | number>): { options?: string } {
  const parts = Object.entries(settings).map(([name, value]) => {
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name) || /\s/.test(String(value))) {
      throw new ConfigError([{ variable: 'sessionSettings', message: `invalid setting ${name}` }]);
    }
    return `-c ${name}=${value}`;
  });
  // Settings in the URL's own \`options\` come last, so they win.
  const options = [...parts, ...(fromUrl ? [fromUrl] : [])].join(' ');
  return options ? { options } : {};
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function sslOptions(sslmode: string | undefined): { ssl?: boolean | { rejectUnauthorized: boolean } } {
  switch (sslmode) {
    case undefined:
    case 'disable':
    case 'allow':
    case 'prefer':
      return {};
    case 'require':
    case 'no-verify':
      return { ssl: { rejectUnauthorized: false } };
    default:
      return { ssl: true };
  }
}
