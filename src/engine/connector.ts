import type { Sequelize } from 'sequelize';
import { ConfigError } from '../errors.js';
import { connectToTarget, type HostTracker } from './host-selection.js';
import { isConnectionLoss } from './server-signals.js';
import type { DeadlineClient } from './pg-driver.js';

/** One statement that applies session settings, with its values bound; undefined when there are none. */
export interface SessionStatement {
  text: string;
  values: [string[], string[]];
}

/**
 * Whether policies pass this connection's role by: PostgreSQL never applies them to a superuser or a
 * BYPASSRLS role, so for such a role the row scope is not sent on the hot path (it could change
 * nothing). Asked of `current_user`, so a role set at startup (`options=-c role=...`) is the one that counts.
 */
const BYPASSES_ROW_SECURITY = 'SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_catalog.pg_roles WHERE rolname = current_user';

const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/i;

/**
 * Builds the statement that applies session settings on each new connection. `set_config` takes names
 * and values as bind parameters, so nothing is spliced into SQL, and a session SET (unlike a startup
 * option) is accepted by every pooler.
 *
 * @throws {ConfigError} for a name that is not a setting name.
 * @internal
 */
export function sessionStatement(settings: Record<string, string | number>): SessionStatement | undefined {
  const names = Object.keys(settings);
  if (names.length === 0) return undefined;
  for (const name of names) {
    if (!SETTING_NAME.test(name)) throw new ConfigError([{ variable: 'sessionSettings', message: `invalid setting ${name}` }]);
  }
  return {
    text: 'SELECT set_config(name, value, false) FROM unnest($1::text[], $2::text[]) AS s(name, value)',
    values: [names, names.map((name) => String(settings[name]))],
  };
}

interface ConnectConfig {
  host?: string;
  port?: number | string;
  dialectOptions?: Record<string, unknown>;
}

interface ConnectionManagerLike {
  connect(config: ConnectConfig): Promise<DeadlineClient>;
}

/**
 * Makes the pool connect the way libpq does for the URL's hosts, `target_session_attrs` and `sslmode`
 * ({@link connectToTarget}), then applies the session settings and notes whether row-level security
 * applies to the role. Only this engine's connection manager is
 * touched, never the prototype.
 *
 * @internal
 */
export function installConnector(sequelize: Sequelize, hosts: HostTracker, session: SessionStatement | undefined): void {
  const manager = sequelize.connectionManager as unknown as ConnectionManagerLike;
  const connect = manager.connect.bind(manager);
  manager.connect = async (config: ConnectConfig) => {
    const connection = await connectToTarget(hosts, (host, attempt) =>
      connect({ ...config, host: host.host, port: host.port, dialectOptions: { ...config.dialectOptions, ssl: attempt } }),
    );
    try {
      if (session) await connection.query(session.text, session.values);
      // A server that will not say (pg_roles revoked) gets the scope with every call, as before.
      const answer = await connection.query<{ bypasses: boolean }>(BYPASSES_ROW_SECURITY).catch((error: unknown) => {
        if (isConnectionLoss(error)) throw error;
        return undefined;
      });
      connection.bypassesRowSecurity = answer?.rows[0]?.bypasses === true;
      return connection;
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
  };
}
