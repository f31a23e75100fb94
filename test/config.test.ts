import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, createEngine, loadDatabaseConfig, redactUrl, resolveConnectionSettings } from '../src/index.js';
import { childConnectionUrl } from '../src/config/connection-settings.js';

const URL_WITH_SECRET = 'postgres://app:hunter2secret@db.internal:5432/foodsave';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadDatabaseConfig({ DATABASE_URL: URL_WITH_SECRET, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('hunter2secret');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDatabaseConfig', () => {
  it('applies the design document defaults', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: URL_WITH_SECRET })).toEqual({
      url: URL_WITH_SECRET,
      schema: 'public',
      poolSize: 20,
      maxOverflow: 30,
      poolTimeout: 30,
      poolRecycle: 3600,
      queryTimeout: 35,
      statementTimeout: 30,
      connectTimeout: 10,
      closeTimeout: 10,
      replicaUrls: [],
      replicaMaxLag: 10,
      replicaCheckInterval: 1,
      preparedStatements: 'auto',
      echo: false,
      echoPool: false,
    });
  });

  it('reads every variable', () => {
    const config = loadDatabaseConfig({
      DATABASE_URL: 'postgresql://u@localhost/x',
      DATABASE_POOL_SIZE: '5',
      DATABASE_MAX_OVERFLOW: '0',
      DATABASE_POOL_TIMEOUT: '2.5',
      DATABASE_POOL_RECYCLE: '-1',
      DATABASE_ECHO: 'TRUE',
      DATABASE_ECHO_POOL: '1',
      DATABASE_MIGRATION_URL: 'postgresql://u@direct/x',
      DATABASE_QUERY_TIMEOUT: '0',
      DATABASE_STATEMENT_TIMEOUT: '12.5',
      DATABASE_CONNECT_TIMEOUT: '3',
      DATABASE_CLOSE_TIMEOUT: '0',
    });
    expect(config).toMatchObject({
      poolSize: 5,
      maxOverflow: 0,
      poolTimeout: 2.5,
      poolRecycle: -1,
      echo: true,
      echoPool: true,
      migrationUrl: 'postgresql://u@direct/x',
      queryTimeout: 0,
      statementTimeout: 12.5,
      connectTimeout: 3,
      closeTimeout: 0,
    });
  });

  it('names each bad timeout variable, and a malformed DATABASE_MIGRATION_URL', () => {
    const error = configError({
      DATABASE_URL: 'postgresql://u@localhost/x',
      DATABASE_QUERY_TIMEOUT: '-1',
      DATABASE_CONNECT_TIMEOUT: '0',
      DATABASE_STATEMENT_TIMEOUT: 'soon',
      DATABASE_MIGRATION_URL: 'mysql://u@direct/x',
    });
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      'DATABASE_CONNECT_TIMEOUT',
      'DATABASE_MIGRATION_URL',
      'DATABASE_QUERY_TIMEOUT',
      'DATABASE_STATEMENT_TIMEOUT',
    ]);
  });

  it('takes DATABASE_SCHEMA as a plain identifier, and refuses anything else by name', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: URL_WITH_SECRET, DATABASE_SCHEMA: 'foodsave_2' }).schema).toBe('foodsave_2');
    for (const bad of ['food-save', '"x"', 'a.b', '1abc', 'x'.repeat(64), 'pg_food', 'public; DROP TABLE users']) {
      expect(() => loadDatabaseConfig({ DATABASE_URL: URL_WITH_SECRET, DATABASE_SCHEMA: bad }), bad).toThrow(/DATABASE_SCHEMA/);
    }
    expect(() => createEngine({ env: {}, url: URL_WITH_SECRET, schema: 'no spaces' })).toThrow(/schema must be a plain identifier/);
  });

  it('requires DATABASE_URL', () => {
    expect(() => loadDatabaseConfig({})).toThrow(/DATABASE_URL is required/);
  });

  it.each([
    ['mysql://app:hunter2secret@db/foodsave', /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ['not a url hunter2secret', /DATABASE_URL is not a valid URL/],
  ])('rejects DATABASE_URL=%s without printing it', (url, message) => {
    const error = configError({ DATABASE_URL: url });
    expect(error.message).toMatch(message);
    expect(error.issues[0]?.variable).toBe('DATABASE_URL');
  });

  it.each([
    ['DATABASE_POOL_SIZE', 'abc', 'must be a number, got "abc"'],
    ['DATABASE_POOL_SIZE', '-3', 'must be at least 1'],
    ['DATABASE_POOL_SIZE', '2.5', 'must be a whole number'],
    ['DATABASE_MAX_OVERFLOW', '-1', 'must not be negative'],
    ['DATABASE_MAX_OVERFLOW', 'many', 'must be a number, got "many"'],
    ['DATABASE_POOL_TIMEOUT', '0', 'must be greater than 0'],
    ['DATABASE_POOL_TIMEOUT', '-5', 'must be greater than 0'],
    ['DATABASE_POOL_RECYCLE', '0', 'must be greater than 0, or -1 to disable'],
    ['DATABASE_POOL_RECYCLE', 'hourly', 'must be a number, got "hourly"'],
    ['DATABASE_ECHO', 'maybe', 'must be true or false, got "maybe"'],
    ['DATABASE_ECHO_POOL', 'verbose', 'must be true or false, got "verbose"'],
  ])('rejects %s=%s', (variable, value, message) => {
    const error = configError({ [variable]: value });
    expect(error.issues).toEqual([{ variable, message }]);
    expect(error.message).toContain(`${variable} ${message}`);
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('reports every bad variable at once', () => {
    const error = configError({ DATABASE_POOL_SIZE: 'x', DATABASE_ECHO: 'y' });
    expect(error.issues.map((i) => i.variable)).toEqual(['DATABASE_POOL_SIZE', 'DATABASE_ECHO']);
  });
});

describe('createEngine options', () => {
  it('lets explicit options override the environment, including a broken env value', async () => {
    const engine = createEngine({
      env: { DATABASE_URL: 'mysql://nope', DATABASE_POOL_SIZE: 'abc', DATABASE_MAX_OVERFLOW: '7' },
      url: URL_WITH_SECRET,
      poolSize: 3,
    });
    expect(engine.settings).toMatchObject({ poolSize: 3, maxOverflow: 7, url: 'postgres://app:***@db.internal:5432/foodsave' });
    await engine.close();
  });

  it('names the option, not the variable, when an explicit option is bad', () => {
    expect(() => createEngine({ env: {}, url: URL_WITH_SECRET, poolSize: 0 })).toThrow(/poolSize must be at least 1/);
  });
});

describe('resolveConnectionSettings: libpq semantics decided once', () => {
  const base = 'postgres://app:pw@db.internal:6432/foodsave';
  const tlsOf = (attempt: false | object) => (attempt === false ? 'plain' : 'tls');

  it('orders the attempts as libpq does for each sslmode; prefer is the default', () => {
    const attempts = (query: string) => resolveConnectionSettings(`${base}${query}`).attempts.map(tlsOf);
    expect(attempts('')).toEqual(['tls', 'plain']);
    expect(attempts('?sslmode=disable')).toEqual(['plain']);
    expect(attempts('?sslmode=allow')).toEqual(['plain', 'tls']);
    expect(attempts('?sslmode=prefer')).toEqual(['tls', 'plain']);
    expect(attempts('?sslmode=require')).toEqual(['tls']);
    expect(resolveConnectionSettings(`${base}?sslmode=require`).attempts[0]).toMatchObject({ rejectUnauthorized: false });
  });

  it('verifies with sslrootcert, upgrades require to verify-ca when a root CA is given, and insists on a CA for verify-*', () => {
    const ca = fileURLToPath(import.meta.url); // any readable file stands in for a PEM here
    const required = resolveConnectionSettings(`${base}?sslmode=require&sslrootcert=${encodeURIComponent(ca)}`);
    expect(required.sslmode).toBe('verify-ca');
    expect(required.attempts[0]).toMatchObject({ rejectUnauthorized: true, ca: expect.any(Buffer) });
    const full = resolveConnectionSettings(`${base}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`);
    expect((full.attempts[0] as { checkServerIdentity?: unknown }).checkServerIdentity).toBeUndefined();
    expect(() => resolveConnectionSettings(`${base}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`)).toThrow(/sslrootcert \/nonexistent\/ca.pem cannot be read/);
    expect(resolveConnectionSettings(`${base}?sslrootcert=system`).sslmode).toBe('verify-full');
    expect(() => resolveConnectionSettings(`${base}?sslmode=require&sslrootcert=system`)).toThrow(/sslrootcert=system needs sslmode=verify-full/);
    expect(() => resolveConnectionSettings(`${base}?sslmode=verify-everything`)).toThrow(ConfigError);
  });

  it('takes ?password= as the password, and keeps it out of the child URL and the redacted one', () => {
    const settings = resolveConnectionSettings('postgres://app@db/foodsave?password=s3cr%40t&application_name=api');
    expect(settings.password).toBe('s3cr@t');
    expect(settings.applicationName).toBe('api');
    expect(childConnectionUrl(settings)).toBe('postgres://app@db:5432/foodsave?application_name=api');
    expect(redactUrl('postgres://app@db/foodsave?password=s3cr%40t')).not.toContain('s3cr');
  });
});
