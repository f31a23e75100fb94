import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConfigError } from '../errors.js';
import { formatConnectionUrl, parseConnectionUrl, type HostPort } from './connection-url.js';

/** libpq's `sslmode` values, weakest first. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * libpq's `target_session_attrs`: which of the URL's hosts a connection may settle on.
 * - `any`: the first that answers. `read-write` / `read-only`: one whose sessions are (not) read-only by
 *   default. `primary` / `standby`: one (not) in recovery. `prefer-standby`: a standby, else any.
 */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

/**
 * How to reach one server, decided once from a URL and used by everything that connects: the engine's
 * pool, the migration runner's client and the backup tools' children. This is the one mapping from a
 * URL to connection settings.
 */
export interface ConnectionSettings {
  /** The first host. */
  readonly host: string;
  /** The first host's port. */
  readonly port: number;
  /** Every host, in the URL's order (libpq's multi-host syntax); connections try them in turn. */
  readonly hosts: readonly HostPort[];
  /** The URL's `target_session_attrs`; default `any`, as in libpq. */
  readonly targetSessionAttrs: TargetSessionAttrs;
  readonly database: string;
  readonly user: string;
  /** Decoded password from the userinfo or `?password=`; `''` when none. Never logged. */
  readonly password: string;
  /** The effective `sslmode`: the URL's, else libpq's default `prefer`. */
  readonly sslmode: SslMode;
  /**
   * The connection attempts in order, as libpq makes them: `false` is a plain connection, an object
   * is TLS with these options. `prefer` is `[tls, false]`, `allow` is `[false, tls]`.
   */
  readonly attempts: readonly (false | TlsOptions)[];
  /** `application_name` from the URL, if any. */
  readonly applicationName: string | undefined;
  /** `connect_timeout` from the URL, in seconds, if any. */
  readonly connectTimeout: number | undefined;
  /** The URL's own `options` (`-c name=value ...`), sent only because the URL asks for it. */
  readonly options: string | undefined;
  /** libpq parameters for child processes (pg_dump): everything but the password. */
  readonly libpqParams: Readonly<Record<string, string>>;
}

/**
 * Resolves a `postgres://` URL into {@link ConnectionSettings}, with `sslmode`, `sslrootcert`, `sslcert`
 * and `sslkey` as libpq documents them:
 * - `disable`: plain only. `allow`: plain, then TLS. `prefer` (the default): TLS, then plain.
 * - `require`: TLS without verifying the certificate, unless a root CA file exists (`sslrootcert`, or
 *   `~/.postgresql/root.crt`), in which case it verifies the chain like `verify-ca`.
 * - `verify-ca`: TLS, the chain must lead to the root CA. `verify-full`: also the host name.
 * - `sslrootcert=system` uses the system's trusted CAs and requires `verify-full`, as in libpq 16+.
 * - `sslcert` / `sslkey` (default `~/.postgresql/postgresql.crt` / `.key` when present) present a
 *   client certificate.
 *
 * @param variable the variable to name in errors. Default: `DATABASE_URL`.
 * @throws {ConfigError} for a malformed URL, an unknown `sslmode`, or an unreadable certificate file.
 * @example
 * ```ts
 * const settings = resolveConnectionSettings('postgres://app:pw@db.internal/foodsave?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem');
 * settings.attempts.length; // 1: TLS only, verified against db-ca.pem
 * ```
 */
export function resolveConnectionSettings(url: string, variable = 'DATABASE_URL'): ConnectionSettings {
  let parts;
  try {
    parts = parseConnectionUrl(url);
  } catch (error) {
    if (error instanceof ConfigError && variable !== 'DATABASE_URL') {
      throw new ConfigError(error.issues.map((i) => ({ ...i, variable })));
    }
    throw error;
  }
  const params = parts.params;
  const fail = (message: string): never => {
    throw new ConfigError([{ variable, message }]);
  };
  const { sslmode, attempts } = resolveTls(params, fail);
  const connectTimeout = params.connect_timeout === undefined ? undefined : Number(params.connect_timeout);
  if (connectTimeout !== undefined && !(connectTimeout >= 0)) fail('has a connect_timeout that is not a number of seconds');
  const targetSessionAttrs = (params.target_session_attrs ?? 'any') as TargetSessionAttrs;
  if (!TARGET_SESSION_ATTRS.includes(targetSessionAttrs)) {
    fail(`has an unknown target_session_attrs "${params.target_session_attrs}" (one of ${TARGET_SESSION_ATTRS.join(', ')})`);
  }
  return {
    host: parts.host,
    port: parts.port,
    hosts: parts.hosts,
    targetSessionAttrs,
    database: parts.database,
    user: parts.user,
    password: parts.password,
    sslmode,
    attempts,
    applicationName: params.application_name,
    connectTimeout,
    options: params.options,
    libpqParams: { ...params },
  };
}

/**
 * The URL a child process (pg_dump, pg_restore) connects with: every libpq parameter, no password.
 * The password travels in a passfile instead.
 *
 * @internal
 */
export function childConnectionUrl(settings: ConnectionSettings, database = settings.database): string {
  return formatConnectionUrl({ ...settings, database, password: '', params: { ...settings.libpqParams } });
}

/**
 * The same settings with the host list and `target_session_attrs` replaced, for a caller that must reach
 * a particular kind of server (migrations: the writable one) or one given host.
 *
 * @internal
 */
export function withTarget(settings: ConnectionSettings, target: TargetSessionAttrs, hosts: readonly HostPort[] = settings.hosts): ConnectionSettings {
  const params = { ...settings.libpqParams };
  if (target === 'any') delete params.target_session_attrs;
  else params.target_session_attrs = target;
  return { ...settings, host: hosts[0]!.host, port: hosts[0]!.port, hosts, targetSessionAttrs: target, libpqParams: params };
}

/**
 * Whether a failed attempt should be followed by the next one, as libpq does: `prefer` falls back to
 * plain when the server has no TLS; `allow` retries with TLS when the server refuses plain connections.
 *
 * @internal
 */
export function shouldTryNextAttempt(error: unknown, attempt: false | TlsOptions): boolean {
  const root = ((error as { parent?: unknown })?.parent ?? error) as { message?: string; code?: string };
  // 28000: pg_hba.conf has no entry for this kind of connection (hostssl / hostnossl).
  if (attempt !== false) return /does not support SSL/i.test(root?.message ?? '') || root?.code === '28000';
  return root?.code === '28000';
}

/** libpq's TLS rules for `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, as pg's `ssl` options. */
function resolveTls(params: Record<string, string>, fail: (message: string) => never): { sslmode: SslMode; attempts: (false | TlsOptions)[] } {
  const rootcert = params.sslrootcert;
  let sslmode = (params.sslmode ?? (rootcert === 'system' ? 'verify-full' : 'prefer')) as SslMode;
  if (!SSL_MODES.includes(sslmode)) fail(`has an unknown sslmode "${params.sslmode}" (one of ${SSL_MODES.join(', ')})`);
  if (rootcert === 'system' && sslmode !== 'verify-full') fail('sslrootcert=system needs sslmode=verify-full');

  const home = path.join(homedir(), '.postgresql');
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      return fail(`${what} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const defaultRoot = path.join(home, 'root.crt');
  const caFile = rootcert && rootcert !== 'system' ? rootcert : rootcert === undefined && existsSync(defaultRoot) ? defaultRoot : undefined;
  // libpq: with a root CA file present, `require` verifies the chain like `verify-ca`.
  if (sslmode === 'require' && caFile) sslmode = 'verify-ca';
  const verify = sslmode === 'verify-ca' || sslmode === 'verify-full';
  if (verify && !caFile && rootcert !== 'system') {
    fail(`sslmode=${sslmode} needs a root certificate: set sslrootcert=/path/to/ca.pem (or sslrootcert=system), or put it in ${defaultRoot}`);
  }
  const certFile = params.sslcert ?? (existsSync(path.join(home, 'postgresql.crt')) ? path.join(home, 'postgresql.crt') : undefined);
  const keyFile = params.sslkey ?? (certFile ? path.join(home, 'postgresql.key') : undefined);

  const tls: TlsOptions = { rejectUnauthorized: verify };
  if (verify && caFile) tls.ca = read(caFile, 'sslrootcert');
  // verify-ca checks the chain only; node checks the host name unless told not to.
  if (sslmode === 'verify-ca') tls.checkServerIdentity = () => undefined;
  if (certFile) {
    tls.cert = read(certFile, 'sslcert');
    tls.key = read(keyFile!, 'sslkey');
  }
  const attempts: (false | TlsOptions)[] =
    sslmode === 'disable' ? [false] : sslmode === 'allow' ? [false, tls] : sslmode === 'prefer' ? [tls, false] : [tls];

  return { sslmode, attempts };
}
