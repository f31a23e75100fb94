import { describe, expect, it } from 'vitest';
import { loadDatabaseConfig, resolveConnectionSettings } from '../src/index.js';
import { childConnectionUrl, withTarget } from '../src/config/connection-settings.js';
import { formatConnectionUrl, parseConnectionUrl } from '../src/config/connection-url.js';
import { satisfies } from '../src/engine/host-selection.js';
import { ConfigError } from '../src/errors.js';

function configIssues(run: () => unknown): readonly { variable: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe("libpq's multi-host URLs", () => {
  it('parses a host list in the authority, each with its own port or 5432', () => {
    const parts = parseConnectionUrl('postgres://app:s%40cret@db1:5433,db2,[::1]:6000/foodsave?target_session_attrs=read-write');
    expect(parts.hosts).toEqual([
      { host: 'db1', port: 5433 },
      { host: 'db2', port: 5432 },
      { host: '::1', port: 6000 },
    ]);
    expect(parts).toMatchObject({ host: 'db1', port: 5433, user: 'app', password: 's@cret', database: 'foodsave' });
    expect(parts.params).toEqual({ target_session_attrs: 'read-write' });
  });

  it('parses host and port lists given as parameters, one port serving every host', () => {
    expect(parseConnectionUrl('postgres:///db?host=a,b&port=5,6').hosts).toEqual([{ host: 'a', port: 5 }, { host: 'b', port: 6 }]);
    expect(parseConnectionUrl('postgres:///db?host=a,b&port=7').hosts).toEqual([{ host: 'a', port: 7 }, { host: 'b', port: 7 }]);
    expect(configIssues(() => parseConnectionUrl('postgres:///db?host=a,b,c&port=1,2'))[0]!.message).toMatch(/3 hosts but 2 ports/);
  });

  it('refuses a port out of range in a host list without quoting the URL', () => {
    const issues = configIssues(() => parseConnectionUrl('postgres://u:topsecret@a:1,b:99999/db'));
    expect(issues[0]!.message).toMatch(/port/);
    expect(JSON.stringify(issues)).not.toContain('topsecret');
  });

  it('formats a host list back into the authority, which parses to the same hosts', () => {
    const parts = parseConnectionUrl('postgres://u:p@h1:1,h2:2/db?sslmode=disable');
    const url = formatConnectionUrl(parts);
    expect(url).toBe('postgres://u:p@h1:1,h2:2/db?sslmode=disable');
    expect(parseConnectionUrl(url).hosts).toEqual(parts.hosts);
  });

  it('resolves target_session_attrs, default any, and refuses an unknown one naming the variable', () => {
    expect(resolveConnectionSettings('postgres://u@h/db').targetSessionAttrs).toBe('any');
    const settings = resolveConnectionSettings('postgres://u@h1,h2/db?target_session_attrs=prefer-standby');
    expect(settings.targetSessionAttrs).toBe('prefer-standby');
    expect(settings.hosts).toHaveLength(2);
    const issues = configIssues(() => resolveConnectionSettings('postgres://u@h/db?target_session_attrs=writable', 'DATABASE_MIGRATION_URL'));
    expect(issues).toEqual([{ variable: 'DATABASE_MIGRATION_URL', message: expect.stringMatching(/unknown target_session_attrs "writable"/) }]);
  });

  it('passes the host list and the forced target to child processes (pg_dump) through the URL', () => {
    const settings = withTarget(resolveConnectionSettings('postgres://u:pw@h1:1,h2:2/db?sslmode=disable'), 'read-write');
    const url = childConnectionUrl(settings);
    expect(url).toBe('postgres://u@h1:1,h2:2/db?sslmode=disable&target_session_attrs=read-write');
    expect(url).not.toContain('pw');
  });

  it("accepts a multi-host DATABASE_URL and splits DATABASE_REPLICA_URLS only where a URL starts", () => {
    const config = loadDatabaseConfig({
      DATABASE_URL: 'postgres://u@h1:1,h2:2/db?target_session_attrs=read-write',
      DATABASE_REPLICA_URLS: 'postgres://u@r1:5432/db, postgresql://u@r2:1,r3:2/db',
      DATABASE_REPLICA_MAX_LAG: '2.5',
      DATABASE_REPLICA_CHECK_INTERVAL: '0.2',
    });
    expect(config.replicaUrls).toEqual(['postgres://u@r1:5432/db', 'postgresql://u@r2:1,r3:2/db']);
    expect(config).toMatchObject({ replicaMaxLag: 2.5, replicaCheckInterval: 0.2 });
  });

  it('names the replica variables in errors', () => {
    const issues = configIssues(() =>
      loadDatabaseConfig({ DATABASE_URL: 'postgres://u@h/db', DATABASE_REPLICA_URLS: 'mysql://r/db', DATABASE_REPLICA_MAX_LAG: '0', DATABASE_REPLICA_CHECK_INTERVAL: 'soon' }),
    );
    expect(issues.map((i) => i.variable).sort()).toEqual(['DATABASE_REPLICA_CHECK_INTERVAL', 'DATABASE_REPLICA_MAX_LAG', 'DATABASE_REPLICA_URLS']);
  });
});

describe('target_session_attrs, as libpq decides it', () => {
  const primary = { standby: false, read_only: false };
  const readOnlyPrimary = { standby: false, read_only: true };
  const standby = { standby: true, read_only: true };
  it.each([
    ['any', [true, true, true]],
    ['read-write', [true, false, false]],
    ['read-only', [false, true, true]],
    ['primary', [true, true, false]],
    ['standby', [false, false, true]],
    ['prefer-standby', [false, false, true]],
  ] as const)('%s accepts [primary, read-only primary, standby] = %j (prefer-standby takes any server on its second pass)', (target, expected) => {
    expect([primary, readOnlyPrimary, standby].map((kind) => satisfies(target, kind))).toEqual(expected);
  });
});

describe('the engine options for hosts and replicas', () => {
  it('takes the primary hosts and target_session_attrs from options over the URL, and redacts every replica URL', async () => {
    const { createEngine } = await import('../src/index.js');
    const engine = createEngine({
      env: {},
      url: 'postgres://app:pw@ignored:1/db',
      hosts: [{ host: 'db-a', port: 6432 }, { host: 'db-b' }],
      targetSessionAttrs: 'primary',
      replicaUrls: ['postgres://app:replica-secret@r1:5432/db'],
    });
    try {
      expect(engine.connections.primary.hosts).toEqual([{ host: 'db-a', port: 6432 }, { host: 'db-b', port: 5432 }]);
      expect(engine.connections.primary.targetSessionAttrs).toBe('primary');
      expect(engine.settings.replicaUrls).toEqual(['postgres://app:***@r1:5432/db']);
      expect(JSON.stringify(engine.settings)).not.toContain('replica-secret');
      // Nothing is checked or opened before the first read.
      expect(engine.replicaStatus()).toEqual([{ name: 'r1:5432', state: 'unknown', lagSeconds: null, standby: null, checkedAt: null }]);
    } finally {
      await engine.close();
    }
  });

  it('refuses bad hosts, an unknown targetSessionAttrs, and replicas on an adopted instance, naming each option', async () => {
    const { createEngine } = await import('../src/index.js');
    const { Sequelize } = await import('sequelize');
    const issues = configIssues(() =>
      createEngine({ env: {}, url: 'postgres://u@h/db', hosts: [{ host: '', port: 0 }], targetSessionAttrs: 'writable' as 'any' }),
    );
    expect(issues.map((i) => i.variable).sort()).toEqual(['hosts', 'targetSessionAttrs']);
    const host = new Sequelize('postgres://u@h/db', { logging: false });
    try {
      expect(configIssues(() => createEngine({ env: {}, sequelize: host, replicaUrls: ['postgres://u@r/db'] }))).toEqual([
        { variable: 'replicaUrls', message: 'does not apply to an adopted instance' },
      ]);
    } finally {
      await host.close();
    }
  });
});
