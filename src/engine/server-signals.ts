import { ConnectionError } from '../errors.js';

/** Node socket codes that mean the connection is gone or never came up. */
export const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Driver messages that mean the same, for errors that carry no code. */
export const CONNECTION_MESSAGE =
  /Connection terminated|Connection ended|connection timeout|timeout expired|not queryable|Client has encountered a connection error|server does not support SSL|The server closed the connection/i;

/** SQLSTATEs of a server going away: terminated by an administrator, crash or shutdown, not yet up. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03']);

/** Sequelize's own connection errors, by name (it wraps the driver's in them). */
export function isSequelizeConnectionError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^Sequelize(Connection|HostNotFound|HostNotReachable|InvalidConnection|AccessDenied)/.test(name);
}

function root(error: unknown): { code?: unknown; message?: string } | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const parent = (error as { parent?: unknown }).parent;
  return (parent instanceof Error ? parent : error) as { code?: unknown; message?: string };
}

/**
 * Whether an error says the server is unreachable or went away (not that a statement was wrong): a
 * refused or reset socket, a terminated session, class 08, or the library's own {@link ConnectionError}.
 * The engine then stops using that server's connections (a failover may have happened) and a read
 * moves on to another replica.
 *
 * @internal
 */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof ConnectionError || isSequelizeConnectionError(error)) return true;
  const e = root(error);
  if (!e) return false;
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || SERVER_GONE.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))) return true;
  return CONNECTION_MESSAGE.test(e.message ?? '');
}

/** An error's first line, at most 300 characters: for reasons and states shown to operators. @internal */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 300);
}

/**
 * Whether a named prepared statement was missing (26000) or already there (42P05) on the server
 * connection: the statement did not run, and the connection path (a pooler) does not keep named
 * statements from one transaction to the next.
 *
 * @internal
 */
export function isLostPreparedStatement(error: unknown): boolean {
  const code = root(error)?.code;
  return code === '26000' || code === '42P05';
}

/**
 * Whether the server refused a write because it is read-only (`25006`): a standby, or a primary that
 * was demoted. Nothing ran, so the statement may go to the writable server.
 *
 * @internal
 */
export function isReadOnlyRefusal(error: unknown): boolean {
  return root(error)?.code === '25006';
}

/**
 * Whether a named prepared statement's result type changed under it (0A000, "cached plan must not change
 * result type"): a migration altered a column it returns since this connection parsed it. Nothing ran,
 * and the statement parsed again runs. Unnamed statements never see this.
 *
 * @internal
 */
export function isStalePreparedStatement(error: unknown): boolean {
  const e = root(error);
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}
