/**
 * The test components themselves, before any library test leans on them: each is the real thing
 * (Debian's PgBouncer, a socket-level silent network, an openssl CA on a TLS server) and cleans up.
 * A component whose binary is missing skips with the reason printed (a failure in CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBlackholeProxy, type BlackholeProxy } from './support/blackhole-proxy.js';
import { componentMissing } from './support/components.js';
import { pgbouncerMissingReason, startPgBouncer, type PgBouncer } from './support/pgbouncer.js';
import { startEmbedded, type PostgresServer } from './support/postgres-server.js';
import { chownForServer, postgresSystemUser } from './support/system-user.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { makeCertificates, opensslMissingReason, sslServerSettings, type Certificates } from './support/tls-certificates.js';

const noBouncer = componentMissing('PgBouncer', pgbouncerMissingReason());
const noOpenssl = componentMissing('TLS', opensslMissingReason());
const isRoot = process.getuid?.() === 0;

/** Connects with `config`, runs `sql`, always ends the client. */
async function queryOnce<R extends pg.QueryResultRow>(config: pg.ClientConfig, sql: string): Promise<R> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<R>(sql);
    return rows[0]!;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The promise's outcome, or 'timeout' if it has none within `ms`; the promise keeps running. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** The temporary folder of the PgBouncer listening on `port`. */
function bouncerFolder(port: number): string | undefined {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('foodsave-pgbouncer-'))
    .map((name) => path.join(tmpdir(), name))
    .find((dir) => {
      try {
        return readFileSync(path.join(dir, 'pgbouncer.ini'), 'utf8').includes(`listen_port = ${port}\n`);
      } catch {
        return false;
      }
    });
}

describe('the postgres system user', () => {
  it('is undefined unless root; as root it is the uid and gid of `postgres`', () => {
    const ids = postgresSystemUser();
    if (!isRoot) return expect(ids).toBeUndefined();
    expect(ids).toEqual({
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
    });
    expect(ids!.uid).not.toBe(0);
  });

  it('chownForServer hands files to that user (a no-op when not root)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fsdb-chown-'));
    try {
      const file = path.join(dir, 'f');
      writeFileSync(file, '');
      chownForServer([dir, file]);
      const expected = postgresSystemUser() ?? { uid: process.getuid!(), gid: process.getgid!() };
      for (const p of [dir, file]) expect({ uid: statSync(p).uid, gid: statSync(p).gid }).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(noBouncer)('Debian PgBouncer', () => {
  const bouncers: Partial<Record<'session' | 'transaction', PgBouncer>> = {};
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('components');
    // Pool size 1 in transaction mode: every client shares one server connection, which proves the mode.
    bouncers.transaction = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'transaction', defaultPoolSize: 1 });
    bouncers.session = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'session' });
    console.log(`[foodsave-db tests] PgBouncer ${bouncers.session.version}`);
  }, 60_000);

  afterAll(async () => {
    for (const b of Object.values(bouncers)) await b?.stop();
    await db?.drop();
  });

  it.each(['session', 'transaction'] as const)('%s mode answers SELECT 1 for any database, over its own port', async (mode) => {
    const bouncer = bouncers[mode]!;
    expect(bouncer.poolMode).toBe(mode);
    expect(bouncer.version).toMatch(/^\d+\.\d+/);
    const serverPort = Number(new URL(inject('serverUrl')).port);
    for (const database of [db.name, 'postgres']) {
      const url = bouncer.url(database);
      expect(Number(new URL(url).port)).not.toBe(serverPort);
      const row = await queryOnce<{ one: number; db: string; port: number }>(
        { connectionString: url },
        'SELECT 1 AS one, current_database() AS db, inet_server_port() AS port',
      );
      expect(row).toEqual({ one: 1, db: database, port: serverPort });
    }
  });

  it.each(['session', 'transaction'] as const)('%s mode refuses the startup parameter `options`', async (mode) => {
    const config = { connectionString: bouncers[mode]!.url(db.name), options: '-c random_page_cost=1.1' };
    await expect(queryOnce(config, 'SELECT 1')).rejects.toThrow(/unsupported startup parameter/);
  });

  it('transaction mode shares one server connection between two open clients (pool size 1)', async () => {
    const clients = [0, 1].map(() => new pg.Client({ connectionString: bouncers.transaction!.url(db.name) }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
      expect(pids[0]).toBe(pids[1]);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
    }
  });

  it('stop() ends the process and removes its folder', async () => {
    const bouncer = await startPgBouncer({ serverUrl: inject('serverUrl'), poolMode: 'session' });
    const port = Number(new URL(bouncer.url('postgres')).port);
    // Other runs may have bouncers of their own: find this one's folder by its port.
    const folder = bouncerFolder(port);
    expect(folder).toBeDefined();
    await bouncer.stop();
    expect(await portRefuses(port)).toBe(true);
    expect(existsSync(folder!)).toBe(false);
  });
});

describe('the black-hole proxy', () => {
  let proxy: BlackholeProxy;
  const clients: pg.Client[] = [];

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: proxy.url(inject('serverUrl')) });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  }

  beforeAll(async () => {
    const server = new URL(inject('serverUrl'));
    proxy = await startBlackholeProxy({ host: server.hostname, port: Number(server.port) });
  });

  afterAll(async () => {
    proxy?.heal();
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await proxy?.stop();
  });

  it('forwards queries, holds them while black-holed, and delivers them after heal()', async () => {
    expect(new URL(proxy.url(inject('serverUrl')))).toMatchObject({ hostname: '127.0.0.1', port: String(proxy.port) });
    const c = await client();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(proxy.connections()).toBe(1);

    proxy.blackhole();
    const held = c.query<{ one: number }>('SELECT 1 AS one');
    expect(await within(held, 1000)).toBe('timeout');
    // A new connection is accepted but its handshake goes nowhere either.
    const late = client();
    expect(await within(late, 500)).toBe('timeout');
    expect(proxy.connections()).toBe(2);

    proxy.heal();
    expect((await within(held, 5000)) as pg.QueryResult).toMatchObject({ rows: [{ one: 1 }] });
    expect((await (await late).query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('stop() cuts every connection and closes the port', async () => {
    const server = new URL(inject('serverUrl'));
    const own = await startBlackholeProxy({ host: server.hostname, port: Number(server.port) });
    const c = new pg.Client({ connectionString: own.url(inject('serverUrl')) });
    c.on('error', () => {});
    await c.connect();
    const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
    await own.stop();
    await within(ended, 2000);
    expect(own.connections()).toBe(0);
    expect(await portRefuses(own.port)).toBe(true);
    await expect(c.query('SELECT 1')).rejects.toThrow();
  });
});

describe.skipIf(noOpenssl)('openssl certificates on a TLS server', () => {
  let certs: Certificates;
  let server: PostgresServer;
  /** The TLS server's URL, for `host`. */
  const urlFor = (host: string) => Object.assign(new URL(server.url), { hostname: host }).toString();

  beforeAll(async () => {
    const owner = postgresSystemUser();
    certs = await makeCertificates(owner ? { owner } : {});
    server = await startEmbedded(sslServerSettings(certs));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await certs?.remove();
  });

  it('keys are 0600 and, as root, belong to the server user', () => {
    const owner = postgresSystemUser();
    for (const key of [certs.serverKey, certs.clientKey]) {
      expect(statSync(key).mode & 0o777).toBe(0o600);
      if (owner) expect(statSync(key).uid).toBe(owner.uid);
    }
    expect(sslServerSettings(certs)).toEqual({
      ssl: 'on',
      ssl_cert_file: certs.serverCert,
      ssl_key_file: certs.serverKey,
      ssl_ca_file: certs.caCert,
    });
  });

  it('the server speaks TLS: an unverified connection reports ssl in pg_stat_ssl', async () => {
    const row = await queryOnce<{ ssl: boolean }>(
      { connectionString: urlFor('127.0.0.1'), ssl: { rejectUnauthorized: false } },
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    expect(row.ssl).toBe(true);
  });

  it('the CA verifies the server under the name localhost, by host or by servername', async () => {
    const ca = await readFile(certs.caCert, 'utf8');
    const sql = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
    expect(await queryOnce({ connectionString: urlFor('localhost'), ssl: { ca } }, sql)).toEqual({ ssl: true });
    expect(await queryOnce({ connectionString: urlFor('127.0.0.1'), ssl: { ca, servername: 'localhost' } }, sql)).toEqual({ ssl: true });
  });

  it('the CA refuses 127.0.0.1, a name the certificate does not list', async () => {
    const ca = await readFile(certs.caCert, 'utf8');
    await expect(queryOnce({ connectionString: urlFor('127.0.0.1'), ssl: { ca } }, 'SELECT 1')).rejects.toThrow(
      /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1/,
    );
  });

  it('the client certificate is signed by the same CA and names its user', async () => {
    const [ca, cert, key] = await Promise.all([certs.caCert, certs.clientCert, certs.clientKey].map((f) => readFile(f, 'utf8')));
    const row = await queryOnce<{ dn: string }>(
      { connectionString: urlFor('127.0.0.1'), ssl: { ca, cert, key, servername: 'localhost' } },
      'SELECT client_dn AS dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    expect(row.dn).toBe('/CN=postgres');
  });

  it('remove() deletes the folder', async () => {
    const extra = await makeCertificates({ serverHosts: ['a.test', 'b.test'], clientUser: 'someone' });
    const san = execFileSync('openssl', ['x509', '-in', extra.serverCert, '-noout', '-ext', 'subjectAltName']).toString();
    expect(san).toMatch(/DNS:a\.test, DNS:b\.test\s*$/);
    await extra.remove();
    expect(existsSync(extra.dir)).toBe(false);
  });
});
