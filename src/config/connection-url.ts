import { ConfigError } from '../errors.js';

/** A `postgres://` URL split into the parts libpq and node-postgres understand. */
export interface ConnectionParts {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Decoded password; `''` when the URL has none (a passfile or trust auth may supply it). */
  password: string;
  /** Query parameters (`sslmode`, `application_name`, ...), decoded. */
  params: Record<string, string>;
}

/**
 * Parses a connection URL with a real URL parser, so that passwords containing `@ : / % # ?`
 * (percent-encoded, as RFC 3986 requires) and query parameters survive.
 *
 * @throws {ConfigError} when the value is not a postgres URL. The message never contains the password.
 * @example
 * ```ts
 * parseConnectionUrl('postgres://app:p%40ss@db:6432/foodsave?sslmode=require').password; // 'p@ss'
 * ```
 */
export function parseConnectionUrl(url: string): ConnectionParts {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The parser's message quotes the input, which may hold a password: drop it.
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is not a valid URL' }]);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError([
      { variable: 'DATABASE_URL', message: `must be a postgres:// or postgresql:// URL, not ${parsed.protocol}//` },
    ]);
  }
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) params[key] = value;
  // libpq accepts the password as a parameter too; it is a secret like the userinfo one.
  const passwordParam = params.password;
  delete params.password;
  // libpq lets `?host=/socket/dir` stand in for an empty host.
  const host = decode(parsed.hostname, 'host') || params.host || 'localhost';
  delete params.host;
  const port = parsed.port ? Number(parsed.port) : params.port ? Number(params.port) : 5432;
  delete params.port;
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name') || params.dbname || 'postgres';
  delete params.dbname;
  return {
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port,
    database,
    user: decode(parsed.username, 'user name') || params.user || 'postgres',
    password: decode(parsed.password, 'password') || passwordParam || '',
    params,
  };
}

/** `decodeURIComponent`, with a malformed `%` escape reported as a ConfigError that never quotes the value. */
function decode(value: string, part: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: `has a malformed %-escape in its ${part} (percent-encode % as %25)` }]);
  }
}

/**
 * Builds a URL from parts, percent-encoding the user and password. The inverse of {@link parseConnectionUrl}.
 */
export function formatConnectionUrl(parts: Omit<ConnectionParts, 'params'> & { params?: Record<string, string> }): string {
  const auth = parts.password
    ? `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}`
    : encodeURIComponent(parts.user);
  const params = { ...parts.params };
  // A Unix socket folder cannot sit in the authority; libpq takes it as `?host=`.
  const socket = parts.host.startsWith('/');
  if (socket) Object.assign(params, { host: parts.host, port: String(parts.port) });
  const host = socket ? '' : parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  // Percent-encoding only: libpq reads `+` in a query value as a plus sign, never as a space.
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `postgres://${auth}@${host}${socket ? '' : `:${parts.port}`}/${encodeURIComponent(parts.database)}${query ? `?${query}` : ''}`;
}
