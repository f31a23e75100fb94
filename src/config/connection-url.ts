import { ConfigError } from '../errors.js';

/** One server of a URL's host list. */
export interface HostPort {
  host: string;
  port: number;
}

/** `host:port`, with an IPv6 address in brackets: how a URL, a log line or a metric label names a server. */
export function hostLabel(h: HostPort): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/** A `postgres://` URL split into the parts libpq and node-postgres understand. */
export interface ConnectionParts {
  /** The first host; `hosts[0].host`. */
  host: string;
  /** The first host's port; `hosts[0].port`. */
  port: number;
  /**
   * Every host, in the URL's order: libpq's multi-host form `h1:5432,h2:5433`, or `?host=h1,h2&port=5432,5433`.
   * Usually one.
   */
  hosts: HostPort[];
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
  const fail = (message: string): never => {
    throw new ConfigError([{ variable: 'DATABASE_URL', message }]);
  };
  // WHATWG URLs hold one host; libpq's list `h1:p1,h2:p2` is split off first and the URL parsed with the first.
  const authority = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/is.exec(url);
  const at = authority ? authority[2]!.lastIndexOf('@') : -1;
  const listed = authority ? splitHostList(authority[2]!.slice(at + 1)) : [];
  let parsed: URL;
  try {
    parsed = new URL(authority && listed.length > 1 ? `${authority[1]}${authority[2]!.slice(0, at + 1)}${listed[0]}${authority[3]}` : url);
  } catch {
    // The parser's message quotes the input, which may hold a password: drop it.
    return fail('is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    fail(`must be a postgres:// or postgresql:// URL, not ${parsed.protocol}//`);
  }
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) params[key] = value;
  // libpq accepts the password as a parameter too; it is a secret like the userinfo one.
  const passwordParam = params.password;
  delete params.password;
  const hosts = listed.length > 1 ? listed.map((entry) => hostPort(entry, fail)) : hostsFromParams(parsed, params, fail);
  delete params.host;
  delete params.port;
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name') || params.dbname || 'postgres';
  delete params.dbname;
  return {
    host: hosts[0]!.host,
    port: hosts[0]!.port,
    hosts,
    database,
    user: decode(parsed.username, 'user name') || params.user || 'postgres',
    password: decode(parsed.password, 'password') || passwordParam || '',
    params,
  };
}

/** Splits `h1:5432,[::1]:5433,h3` at the commas outside brackets. */
function splitHostList(list: string): string[] {
  return list.match(/(\[[^\]]*\]|[^,\[])+/g) ?? [];
}

/** One `host[:port]` entry of a multi-host authority. */
function hostPort(entry: string, fail: (message: string) => never): HostPort {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(entry);
  if (!match) return fail('has a malformed host in its host list');
  const host = decode(match[1]!, 'host').replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return { host, port: portNumber(match[2] || '5432', fail) };
}

/** One host from the authority, or libpq's `?host=a,b&port=1,2` (one port serves every host). */
function hostsFromParams(parsed: URL, params: Record<string, string>, fail: (message: string) => never): HostPort[] {
  // libpq lets `?host=/socket/dir` stand in for an empty host.
  const names = (decode(parsed.hostname, 'host') || params.host || 'localhost').split(',');
  const ports = (parsed.port || params.port || '5432').split(',');
  if (ports.length !== 1 && ports.length !== names.length) fail(`lists ${names.length} hosts but ${ports.length} ports`);
  return names.map((name, i) => ({ host: name.trim().replace(/^\[(.*)\]$/, '$1') || 'localhost', port: portNumber(ports[ports.length === 1 ? 0 : i]!, fail) }));
}

function portNumber(raw: string, fail: (message: string) => never): number {
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65_535) fail('has a port that is not a number from 1 to 65535');
  return port;
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
export function formatConnectionUrl(parts: Omit<ConnectionParts, 'params' | 'hosts'> & { hosts?: readonly HostPort[]; params?: Record<string, string> }): string {
  const auth = parts.password
    ? `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}`
    : encodeURIComponent(parts.user);
  const params = { ...parts.params };
  // A Unix socket folder cannot sit in the authority; libpq takes it as `?host=`.
  const socket = parts.host.startsWith('/');
  if (socket) Object.assign(params, { host: parts.host, port: String(parts.port) });
  const hosts = parts.hosts && parts.hosts.length > 1 ? parts.hosts : [{ host: parts.host, port: parts.port }];
  const authority = socket ? '' : hosts.map(hostLabel).join(',');
  // Percent-encoding only: libpq reads `+` in a query value as a plus sign, never as a space.
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `postgres://${auth}@${authority}/${encodeURIComponent(parts.database)}${query ? `?${query}` : ''}`;
}

/**
 * `DATABASE_REPLICA_URLS` as a list. A URL may itself hold commas (a host list), so the list splits only
 * where the next URL starts.
 *
 * @internal
 */
export function splitReplicaUrls(raw: string): string[] {
  return raw.trim().split(/\s*,\s*(?=postgres(?:ql)?:\/\/)/i).filter(Boolean);
}
