import pg from 'pg';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { shouldTryNextAttempt, type ConnectionSettings } from '../config/connection-settings.js';
import { ConnectionError, QueryTimeoutError } from '../errors.js';

/**
 * TCP keepalive starts probing a connection after this much silence. Without it, a connection whose
 * peer vanished (a dropped route, a failed-over load balancer) looks open forever.
 */
export const KEEPALIVE_DELAY_MS = 10_000;

type Callback = (error: Error | null, result?: unknown) => void;

/** What the deadline needs of a pg client; the fields are pg's own. */
interface ClientInternals {
  connection: { stream: { destroy(error?: Error): void } };
}

/**
 * A pg client whose every query has a deadline. When it passes, the socket is destroyed, so the query
 * fails at once, the server's backend notices the closed connection, and the pool never hands the
 * connection out again (a half-answered protocol stream cannot be reused). The error is a
 * {@link QueryTimeoutError} with `limit: 'deadline'`.
 *
 * The deadline comes from the `query_timeout` setting (ms; 0 disables), which this class takes over from
 * pg's own: pg's timer leaves the query running on a connection that is then handed out again.
 *
 * @internal
 */
export class DeadlineClient extends pg.Client {
  /** The deadline of every query, in ms; 0 for none. */
  deadlineMs: number;
  /** A deadline for the next query only (the health probe's remaining time). */
  nextDeadlineMs: number | undefined;
  /** Why the socket was destroyed, once it was: a deadline, or `engine.close()` running out of time. */
  expired: 'deadline' | 'closed' | undefined;
  /**
   * Whether PostgreSQL exempts this connection's role from row-level security (a superuser, or
   * BYPASSRLS), as found when it connected. Default: false, so the scope is always sent until known.
   */
  bypassesRowSecurity = false;
  /** The queries in flight, each with the time (`performance.now()`) its deadline passes. */
  private readonly due = new Set<{ at: number }>();
  /** One timer for them all, due at `watchAt`: re-armed only when it fires, not per query. */
  private watch: NodeJS.Timeout | undefined;
  private watchAt = Number.POSITIVE_INFINITY;

  constructor(config: pg.ClientConfig & { query_timeout?: number } = {}) {
    const { query_timeout: deadline = 0, ...rest } = config;
    super({ ...rest, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS });
    this.deadlineMs = deadline;
    this.on('end', () => this.arm(Number.POSITIVE_INFINITY));
  }

  /** Destroys the socket: every pending query fails, and pg reports the client as broken. */
  expire(reason: 'deadline' | 'closed'): void {
    this.expired ??= reason;
    (this as unknown as ClientInternals).connection.stream.destroy();
  }

  /**
   * Starts a query's deadline. A timer per query would cost a setTimeout and a clearTimeout on every
   * call; instead the one watch timer, when it fires, looks at the queries then in flight.
   * @internal
   */
  track(ms: number): { at: number } {
    const due = { at: performance.now() + ms };
    this.due.add(due);
    if (due.at < this.watchAt) this.arm(due.at);
    return due;
  }

  /** @internal */
  untrack(due: { at: number } | undefined): void {
    if (due) this.due.delete(due);
  }

  private arm(at: number): void {
    clearTimeout(this.watch);
    this.watch = undefined;
    this.watchAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    // Unref'd: a query in flight keeps the process alive through its socket; an idle watch must not.
    this.watch = setTimeout(this.check, Math.max(0, at - performance.now())).unref();
  }

  private readonly check = (): void => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const due of this.due) earliest = Math.min(earliest, due.at);
    if (earliest <= performance.now()) this.expire('deadline');
    else this.arm(earliest);
  };
}

// Defined on the prototype rather than as a method so as not to restate pg's many typed overloads.
Object.defineProperty(DeadlineClient.prototype, 'query', {
  configurable: true,
  writable: true,
  value: function query(this: DeadlineClient, config: unknown, values?: unknown, callback?: unknown): unknown {
    const base = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    const ms = this.nextDeadlineMs ?? this.deadlineMs;
    this.nextDeadlineMs = undefined;
    const submittable = typeof (config as { submit?: unknown } | null)?.submit === 'function';
    const ownCallback = typeof (config as { callback?: unknown } | null)?.callback === 'function';
    // A submittable with its callback (the library's scoped statement) gets the deadline; a host's
    // cursor or stream, and a config object with its own callback, are left to pg.
    if (config == null || (submittable && !ownCallback) || (!submittable && ownCallback)) {
      return base.call(this, config, values, callback);
    }
    const timer = ms ? this.track(ms) : undefined;
    const settle = (error: Error | null): Error | null => {
      this.untrack(timer);
      // A FATAL error (a terminated backend, a shutdown) arrives before the socket closes: mark the
      // connection broken now, or the pool could hand it out again in between.
      if (error && FATAL.has((error as { severity?: string }).severity ?? '')) (this as { _invalid?: boolean })._invalid = true;
      return error && this.expired ? expiredError(this.expired, ms, error) : error;
    };
    if (submittable) {
      const query = config as { callback: Callback };
      const done = query.callback;
      query.callback = (error, result) => done(settle(error), result);
      try {
        return base.call(this, query);
      } catch (error) {
        this.untrack(timer);
        throw error;
      }
    }
    const cb = (typeof values === 'function' ? values : callback) as Callback | undefined;
    if (cb) {
      const wrapped: Callback = (error, result) => cb(settle(error), result);
      return typeof values === 'function' ? base.call(this, config, wrapped) : base.call(this, config, values, wrapped);
    }
    return (base.call(this, config, values) as Promise<unknown>).then(
      (result) => {
        this.untrack(timer);
        return result;
      },
      (error: Error) => {
        throw settle(error);
      },
    );
  },
});

const FATAL = new Set(['FATAL', 'PANIC']);

function expiredError(reason: 'deadline' | 'closed', ms: number, cause: Error): Error {
  return reason === 'deadline'
    ? new QueryTimeoutError(`No answer from the database within ${ms} ms; the connection was closed`, { cause, limit: 'deadline' })
    : new ConnectionError('The engine was closed while this statement was still running', { cause });
}

/**
 * The pg module as Sequelize sees it (`dialectModule`), with {@link DeadlineClient} as its Client and
 * everything else (type parsers, the pool class) pg's own.
 *
 * @internal
 */
export const driver: typeof pg = Object.create(pg, { Client: { value: DeadlineClient, enumerable: true } }) as typeof pg;

/** Options for {@link connectClient}. */
export interface ConnectClientOptions {
  /** `application_name`, unless the URL sets one. */
  applicationName: string;
  /** Milliseconds to wait for the connection (each attempt). Default: the URL's `connect_timeout`, else 10 000. */
  connectTimeoutMs?: number;
  /** Deadline of every query, in ms; 0 for none. Default: 0. */
  deadlineMs?: number;
}

/** pg client settings for one attempt of {@link ConnectionSettings}. */
export function clientConfig(
  settings: ConnectionSettings,
  attempt: false | TlsOptions,
  options: ConnectClientOptions,
): pg.ClientConfig & { query_timeout?: number } {
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    application_name: settings.applicationName ?? options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? (settings.connectTimeout ?? 10) * 1000,
    ssl: attempt === false ? false : attempt,
    ...(settings.options ? { options: settings.options } : {}),
    query_timeout: options.deadlineMs ?? 0,
  };
}

/**
 * Makes libpq's connection attempts for the URL's `sslmode`, in order (TLS first for `prefer`, plain
 * first for `allow`), each a fresh connection, as a TLS refusal closes the socket.
 *
 * @internal
 */
export async function connectWithAttempts<T>(settings: ConnectionSettings, connect: (attempt: false | TlsOptions) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const [index, attempt] of settings.attempts.entries()) {
    try {
      return await connect(attempt);
    } catch (error) {
      lastError = error;
      if (index === settings.attempts.length - 1 || !shouldTryNextAttempt(error, attempt)) break;
    }
  }
  throw lastError;
}
