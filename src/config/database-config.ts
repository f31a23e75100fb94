import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { parseConnectionUrl, splitReplicaUrls } from './connection-url.js';

const postgresUrl = () =>
  z.string({ error: 'is required' }).superRefine((value, ctx) => {
    // The one URL parser (libpq's host lists included); its messages never quote the URL.
    try {
      parseConnectionUrl(value);
    } catch (error) {
      const issues = error instanceof ConfigError ? error.issues : [{ message: 'is not a valid URL' }];
      for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message });
    }
  });

/** Seconds, where 0 turns the limit off. */
const seconds = (fallback: number) => z.number().min(0, 'must not be negative (0 turns it off)').max(86_400, 'must be at most 86400').default(fallback);

/**
 * The resolved database settings. Each field documents its default, which is the design
 * document's default for the matching `DATABASE_*` variable.
 */
export const databaseConfigSchema = z.strictObject({
  /** `DATABASE_URL`. Required. A `postgres://` or `postgresql://` URL; percent-encode special characters. */
  url: postgresUrl(),
  /**
   * `DATABASE_MIGRATION_URL`: a direct connection for the migration runner, when `url` goes through a
   * pooler in transaction mode (PgBouncer, Supabase, Neon, RDS Proxy), as Prisma's `directUrl`.
   * Default: `url`.
   */
  migrationUrl: postgresUrl().optional(),
  /**
   * `DATABASE_SCHEMA`: the PostgreSQL schema that holds every table, function, trigger and index of the
   * library, and its migration table. Statements name it explicitly, so it works behind poolers without
   * `search_path`. A plain identifier: a letter or `_`, then letters, digits or `_`, at most 63 long, not
   * starting with `pg_`. Default `public`.
   */
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier: a letter or _, then letters, digits or _, at most 63 long')
    .refine((s) => !s.toLowerCase().startsWith('pg_'), 'must not start with pg_ (reserved by PostgreSQL)')
    .default('public'),
  /** `DATABASE_POOL_SIZE`: connections kept open when idle. Default 20. */
  poolSize: z.number().int('must be a whole number').min(1, 'must be at least 1').default(20),
  /** `DATABASE_MAX_OVERFLOW`: extra connections opened under load, closed soon after. Default 30. */
  maxOverflow: z.number().int('must be a whole number').min(0, 'must not be negative').default(30),
  /** `DATABASE_POOL_TIMEOUT`: seconds to wait for a free connection. Default 30. */
  poolTimeout: z.number().positive('must be greater than 0').default(30),
  /** `DATABASE_POOL_RECYCLE`: a connection older than this many seconds is replaced; -1 disables. Default 3600. */
  poolRecycle: z
    .number()
    .refine((n) => n === -1 || n > 0, 'must be greater than 0, or -1 to disable')
    .default(3600),
  /**
   * `DATABASE_QUERY_TIMEOUT`: seconds a statement may go unanswered before the client gives up, destroys
   * the connection and throws `QueryTimeoutError`. Bounds calls on a silent network. 0 turns it off.
   * Default 35 (longer than `statementTimeout`, so the server's own timeout normally fires first).
   */
  queryTimeout: seconds(35),
  /**
   * `DATABASE_STATEMENT_TIMEOUT`: the server's `statement_timeout` for the engine's sessions, in seconds.
   * 0 keeps the server's setting. Default 30.
   */
  statementTimeout: seconds(30),
  /** `DATABASE_CONNECT_TIMEOUT`: seconds to wait for a new connection. Default 10 (or the URL's `connect_timeout`). */
  connectTimeout: z.number().positive('must be greater than 0').max(3600, 'must be at most 3600').default(10),
  /**
   * `DATABASE_CLOSE_TIMEOUT`: seconds `engine.close()` waits for calls in flight before it destroys the
   * connections left. Default 10.
   */
  closeTimeout: z.number().min(0, 'must not be negative').max(3600, 'must be at most 3600').default(10),
  /**
   * `DATABASE_REPLICA_URLS`: streaming replicas (hot standbys) for reads, comma-separated in the variable.
   * Reads outside a transaction are balanced across those within `replicaMaxLag`, falling back to the
   * other replicas, then to the primary. Each has its own pool with the primary's limits. At most 16.
   * Default: none; everything goes to `url`.
   */
  replicaUrls: z.array(postgresUrl()).max(16, 'must list at most 16 replicas').default([]),
  /**
   * `DATABASE_REPLICA_MAX_LAG`: seconds a replica may be behind the primary and still serve reads; a
   * replica further behind is skipped until it catches up. Default 10.
   */
  replicaMaxLag: z.number().positive('must be greater than 0').max(86_400, 'must be at most 86400').default(10),
  /**
   * `DATABASE_REPLICA_CHECK_INTERVAL`: seconds between checks of each replica's lag and reachability.
   * Default 1.
   */
  replicaCheckInterval: z.number().min(0.05, 'must be at least 0.05').max(3600, 'must be at most 3600').default(1),
  /**
   * `DATABASE_PREPARED_STATEMENTS`: `auto`, `on` or `off`. With `auto` and `on`, a statement text that
   * repeats is sent as a named prepared statement, parsed and planned once per connection. `auto` turns
   * itself off, with a warning, behind a pooler that does not keep them across transactions (PgBouncer
   * before 1.21 in transaction mode); `on` does not. Default `auto`.
   */
  preparedStatements: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** `DATABASE_ECHO`: log every SQL statement with its duration. Default false. */
  echo: z.boolean().default(false),
  /** `DATABASE_ECHO_POOL`: log pool acquire, release, connect and disconnect. Default false. */
  echoPool: z.boolean().default(false),
});

/** Settings as accepted (every field but `url` optional). */
export type DatabaseConfigInput = z.input<typeof databaseConfigSchema>;
/** Settings after defaults are applied. */
export type DatabaseConfig = z.output<typeof databaseConfigSchema>;

/** Environment variable for each config field. */
export const ENV_VARIABLES = {
  url: 'DATABASE_URL',
  migrationUrl: 'DATABASE_MIGRATION_URL',
  schema: 'DATABASE_SCHEMA',
  poolSize: 'DATABASE_POOL_SIZE',
  maxOverflow: 'DATABASE_MAX_OVERFLOW',
  poolTimeout: 'DATABASE_POOL_TIMEOUT',
  poolRecycle: 'DATABASE_POOL_RECYCLE',
  queryTimeout: 'DATABASE_QUERY_TIMEOUT',
  statementTimeout: 'DATABASE_STATEMENT_TIMEOUT',
  connectTimeout: 'DATABASE_CONNECT_TIMEOUT',
  closeTimeout: 'DATABASE_CLOSE_TIMEOUT',
  replicaUrls: 'DATABASE_REPLICA_URLS',
  replicaMaxLag: 'DATABASE_REPLICA_MAX_LAG',
  replicaCheckInterval: 'DATABASE_REPLICA_CHECK_INTERVAL',
  preparedStatements: 'DATABASE_PREPARED_STATEMENTS',
  echo: 'DATABASE_ECHO',
  echoPool: 'DATABASE_ECHO_POOL',
} as const satisfies Record<keyof DatabaseConfig, string>;

type Field = keyof DatabaseConfig;
const NUMERIC_FIELDS = [
  'poolSize',
  'maxOverflow',
  'poolTimeout',
  'poolRecycle',
  'queryTimeout',
  'statementTimeout',
  'connectTimeout',
  'closeTimeout',
  'replicaMaxLag',
  'replicaCheckInterval',
] as const;
const BOOLEAN_FIELDS = ['echo', 'echoPool'] as const;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);

/** Reads the `DATABASE_*` variables that are set, as typed values, without applying defaults. */
function readEnv(env: Record<string, string | undefined>): {
  values: Partial<Record<Field, unknown>>;
  issues: ConfigIssue[];
} {
  const values: Partial<Record<Field, unknown>> = {};
  const issues: ConfigIssue[] = [];
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL !== '') values.url = env.DATABASE_URL;
  if (env.DATABASE_MIGRATION_URL) values.migrationUrl = env.DATABASE_MIGRATION_URL;
  if (env.DATABASE_SCHEMA) values.schema = env.DATABASE_SCHEMA;
  if (env.DATABASE_PREPARED_STATEMENTS?.trim()) values.preparedStatements = env.DATABASE_PREPARED_STATEMENTS.trim().toLowerCase();
  if (env.DATABASE_REPLICA_URLS?.trim()) values.replicaUrls = splitReplicaUrls(env.DATABASE_REPLICA_URLS);
  for (const field of NUMERIC_FIELDS) {
    const raw = env[ENV_VARIABLES[field]];
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw.trim());
    if (Number.isNaN(n)) issues.push({ variable: ENV_VARIABLES[field], message: `must be a number, got "${raw}"` });
    else values[field] = n;
  }
  for (const field of BOOLEAN_FIELDS) {
    const raw = env[ENV_VARIABLES[field]];
    if (raw === undefined) continue;
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) values[field] = true;
    else if (FALSE_WORDS.has(word)) values[field] = false;
    else issues.push({ variable: ENV_VARIABLES[field], message: `must be true or false, got "${raw}"` });
  }
  return { values, issues };
}

/**
 * Validates settings merged from the environment and explicit options. Explicit options win.
 * Issues name the environment variable when the value came from there, else the option name.
 *
 * @internal
 */
export function resolveDatabaseConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<Record<Field, unknown>> = {},
): DatabaseConfig {
  const { values, issues } = readEnv(env);
  const explicit = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  // A broken env value does not matter when an explicit option replaces it.
  const relevant = issues.filter(
    (issue) => !Object.keys(explicit).some((k) => ENV_VARIABLES[k as Field] === issue.variable),
  );
  const merged = { ...values, ...explicit };
  const result = databaseConfigSchema.safeParse(merged);
  const all = [...relevant];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = issue.path[0] as Field | undefined;
      const variable =
        field === undefined
          ? '(config)'
          : field in explicit || !(field in ENV_VARIABLES)
            ? String(field)
            : ENV_VARIABLES[field];
      // Never echo the URL back: it may hold a password.
      const message = issue.code === 'unrecognized_keys' ? `unknown option(s): ${issue.keys.join(', ')}` : issue.message;
      all.push({ variable, message });
    }
  }
  if (all.length > 0 || !result.success) throw new ConfigError(all);
  return result.data;
}

/**
 * Parses and validates the `DATABASE_*` environment variables with the design document's defaults.
 *
 * @throws {ConfigError} naming each bad variable and what is wrong with it; never printing a password.
 * @example
 * ```ts
 * const config = loadDatabaseConfig(); // reads process.env
 * console.log(config.poolSize); // 20 unless DATABASE_POOL_SIZE is set
 * ```
 */
export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  return resolveDatabaseConfig(env);
}
