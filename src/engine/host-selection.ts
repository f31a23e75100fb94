import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ConnectionSettings, TargetSessionAttrs } from '../config/connection-settings.js';
import { hostLabel, type HostPort } from '../config/connection-url.js';
import { ConnectionError } from '../errors.js';
import { errorLine } from './server-signals.js';
import { clientConfig, connectWithAttempts, DeadlineClient, type ConnectClientOptions } from './pg-driver.js';

/** What a connection must offer for the probe: pg's client does. */
export interface Probeable {
  query(text: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

/**
 * One round trip tells every `target_session_attrs` apart. A standby's sessions are read-only whatever
 * `default_transaction_read_only` says, so `read_only` includes recovery.
 */
const PROBE = "SELECT pg_is_in_recovery() AS standby, pg_is_in_recovery() OR current_setting('default_transaction_read_only') = 'on' AS read_only";

interface ServerKind {
  standby: boolean;
  read_only: boolean;
}

/** Whether a server of this kind satisfies `target`, as libpq decides it. */
export function satisfies(target: TargetSessionAttrs, kind: ServerKind): boolean {
  switch (target) {
    case 'read-write':
      return !kind.read_only;
    case 'read-only':
      return kind.read_only;
    case 'primary':
      return !kind.standby;
    case 'standby':
    case 'prefer-standby':
      return kind.standby;
    default:
      return true;
  }
}

/**
 * Which of a URL's hosts the pool's connections should reach, and which connections belong to a server
 * that is no longer the one. Each connection is stamped with the generation it was made in; a sign that
 * the server changed role or vanished (a 25006 on a write, a lost connection) starts a new generation,
 * and the pool refuses every older connection when it would hand it out, so connections to an old
 * primary are closed instead of reused. The next connection searches the hosts again, starting after the
 * one that failed.
 *
 * @internal
 */
export class HostTracker {
  private generation = 0;
  private preferred = 0;
  private readonly stamps = new WeakMap<object, { generation: number; index: number }>();

  constructor(readonly settings: ConnectionSettings) {}

  /** Whether connections choose among hosts at all: several hosts, or a host that must be of a kind. */
  get choosing(): boolean {
    return this.settings.hosts.length > 1 || this.settings.targetSessionAttrs !== 'any';
  }

  /** The hosts in the order to try: the last one that served first, then the rest in the URL's order. */
  order(): { host: HostPort; index: number }[] {
    const hosts = this.settings.hosts.map((host, index) => ({ host, index }));
    return [...hosts.slice(this.preferred), ...hosts.slice(0, this.preferred)];
  }

  /** Records that `connection` was made to host `index` in the current generation. */
  stamp(connection: object, index: number): void {
    this.preferred = index;
    this.stamps.set(connection, { generation: this.generation, index });
  }

  /** Whether `connection` was made before the latest change of server. */
  stale(connection: object): boolean {
    const stamp = this.stamps.get(connection);
    return stamp !== undefined && stamp.generation !== this.generation;
  }

  /** The host a connection was made to. */
  hostOf(connection: object): HostPort | undefined {
    const stamp = this.stamps.get(connection);
    return stamp === undefined ? undefined : this.settings.hosts[stamp.index];
  }

  /**
   * A call on `connection` failed in a way that says its server is gone or no longer the writable one.
   * The first such report of a generation starts the next; later reports about the same generation's
   * connections change nothing.
   */
  suspect(connection: object): void {
    const stamp = this.stamps.get(connection);
    if (!this.choosing || stamp === undefined || stamp.generation !== this.generation) return;
    this.generation += 1;
    this.preferred = (stamp.index + 1) % this.settings.hosts.length;
  }
}

/**
 * Connects as libpq does with a host list and `target_session_attrs`: each host in turn (each with the
 * URL's TLS attempts), keeping the first whose server is of the wanted kind and closing the others.
 * `prefer-standby` makes a second pass that takes any server. With one host and `any`, this is a plain
 * connection with no probe.
 *
 * @throws {ConnectionError} naming every host and why it was passed over, when none would do.
 * @internal
 */
export async function connectToTarget<T extends Probeable>(
  tracker: HostTracker,
  connect: (host: HostPort, attempt: false | TlsOptions) => Promise<T>,
  target: TargetSessionAttrs = tracker.settings.targetSessionAttrs,
): Promise<T> {
  const settings = tracker.settings;
  if (!tracker.choosing && target === 'any') {
    const connection = await connectWithAttempts(settings, (attempt) => connect(settings.hosts[0]!, attempt));
    tracker.stamp(connection, 0);
    return connection;
  }
  const reasons: string[] = [];
  let lastError: unknown;
  const passes: TargetSessionAttrs[] = target === 'prefer-standby' ? ['standby', 'any'] : [target];
  for (const pass of passes) {
    for (const { host, index } of tracker.order()) {
      let connection: T;
      try {
        connection = await connectWithAttempts(settings, (attempt) => connect(host, attempt));
      } catch (error) {
        lastError = error;
        if (pass === passes[0]) reasons.push(`${hostLabel(host)}: ${errorLine(error)}`);
        continue;
      }
      try {
        if (pass === 'any' || satisfies(pass, (await connection.query(PROBE)).rows[0] as ServerKind)) {
          tracker.stamp(connection, index);
          return connection;
        }
        if (pass === passes[0]) reasons.push(`${hostLabel(host)}: does not accept target_session_attrs=${pass}`);
      } catch (error) {
        lastError = error;
        if (pass === passes[0]) reasons.push(`${hostLabel(host)}: ${errorLine(error)}`);
      }
      await connection.end().catch(() => undefined);
    }
  }
  throw new ConnectionError(`No server matched target_session_attrs=${target} (${reasons.join('; ')})`, { cause: lastError });
}

/**
 * Opens one client outside the pool (the migration runner, the backups), choosing among the URL's hosts
 * as {@link connectToTarget} does, with `target` in place of the URL's `target_session_attrs` when given
 * (migrations need the writable server). The client ignores 'error' events: an idle client whose server
 * goes away would otherwise crash the host.
 *
 * @internal
 */
export async function connectClient(
  settings: ConnectionSettings,
  options: ConnectClientOptions & { target?: TargetSessionAttrs },
): Promise<DeadlineClient> {
  return connectToTarget(
    new HostTracker(settings),
    async (host, attempt) => {
      const client = new DeadlineClient(clientConfig({ ...settings, host: host.host, port: host.port }, attempt, options));
      client.on('error', () => {});
      try {
        await client.connect();
        return client;
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
    },
    options.target,
  );
}
