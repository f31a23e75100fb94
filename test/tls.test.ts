/**
 * TLS decided once: the engine, the migration runner and the backups connect to a real TLS server with
 * the same `sslmode` semantics (libpq's). The server accepts TLS connections only (pg_hba `hostssl`), so
 * a plain connection is visibly refused, and one role must present a client certificate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BackupError, ConnectionError, createEngine, MigrationError, runMigrations, type Engine } from '../src/index.js';
import { createBackup } from '../src/entries/ops.js';
import { componentMissing, pgToolsMissingReason, serverMajor } from './support/components.js';
import { startEmbedded, type PostgresServer } from './support/postgres-server.js';
import { postgresSystemUser } from './support/system-user.js';
import { makeCertificates, opensslMissingReason, sslServerSettings, type Certificates } from './support/tls-certificates.js';
import { testEnv } from './support/test-database.js';

const skip = componentMissing('TLS', opensslMissingReason());
// The backup half of each case needs pg_dump/pg_restore for the server's major.
const major = serverMajor(inject('serverVersionNum'));
const noBackups = skip || componentMissing(`pg_dump/pg_restore for PostgreSQL ${major}`, await pgToolsMissingReason(major));

/** createBackup, or nothing (with the reason printed above) when this machine has no usable pg_dump. */
function backupOrSkip(databaseUrl: string): Promise<{ bytes: number } | 'skipped'> {
  return noBackups ? Promise.resolve('skipped') : createBackup({ databaseUrl, dir: backupDir });
}
const CERT_USER = 'fs_cert_user';

let server: PostgresServer;
let certs: Certificates;
let otherCa: Certificates;
let backupDir: string;
const engines: Engine[] = [];

/** The test database's URL on the TLS server, for `host`, with extra libpq parameters. */
function url(host: string, params: Record<string, string>, user?: { name: string; password?: string }): string {
  const u = new URL(server.url);
  u.hostname = host;
  u.pathname = '/fsdb_tls';
  if (user) {
    u.username = user.name;
    u.password = user.password ?? '';
  }
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function engine(databaseUrl: string): Engine {
  const e = createEngine({ env: testEnv, url: databaseUrl, poolSize: 1, maxOverflow: 0, connectTimeout: 5 });
  engines.push(e);
  return e;
}

async function usesTls(e: Engine): Promise<boolean> {
  const [[row]] = (await e.sequelize.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')) as unknown as [[{ ssl: boolean }]];
  return row.ssl;
}

beforeAll(async () => {
  if (skip) return;
  const owner = postgresSystemUser();
  certs = await makeCertificates({ serverHosts: ['localhost'], clientUser: CERT_USER, ...(owner ? { owner } : {}) });
  otherCa = await makeCertificates({ serverHosts: ['localhost'] });
  // TLS only; the certificate role authenticates with its certificate alone.
  const hba = path.join(certs.dir, 'pg_hba.conf');
  await writeFile(
    hba,
    [
      'local all all trust',
      `hostssl all ${CERT_USER} 127.0.0.1/32 cert`,
      `hostssl all ${CERT_USER} ::1/128 cert`,
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'hostssl all all ::1/128 scram-sha-256',
      'host all all 0.0.0.0/0 reject',
      'host all all ::/0 reject',
      '',
    ].join('\n'),
  );
  if (owner) {
    const { chownSync } = await import('node:fs');
    chownSync(hba, owner.uid, owner.gid);
  }
  server = await startEmbedded({ ...sslServerSettings(certs), hba_file: hba });
  const admin = new pg.Client({ connectionString: server.url, ssl: { rejectUnauthorized: false } });
  await admin.connect();
  await admin.query('CREATE DATABASE fsdb_tls');
  await admin.query(`CREATE ROLE ${CERT_USER} LOGIN SUPERUSER`);
  await admin.end();
  backupDir = await mkdtemp(path.join(tmpdir(), 'fsdb-tls-backups-'));
}, 120_000);

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 2000 })));
  await server?.stop();
  await certs?.remove();
  await otherCa?.remove();
  if (backupDir) await rm(backupDir, { recursive: true, force: true });
});

describe.skipIf(skip)('one sslmode mapping for the engine, the migrations and the backups', () => {
  it('require: connects to a server whose certificate it does not verify, for all three', async () => {
    const databaseUrl = url('127.0.0.1', { sslmode: 'require' });
    const e = engine(databaseUrl);
    expect(await usesTls(e)).toBe(true);
    await expect(runMigrations(e)).resolves.toBeInstanceOf(Array);
    const backup = await backupOrSkip(databaseUrl);
    if (backup !== 'skipped') expect(backup.bytes).toBeGreaterThan(0);
  });

  it('verify-full with the CA connects to the name on the certificate, for all three', async () => {
    const databaseUrl = url('localhost', { sslmode: 'verify-full', sslrootcert: certs.caCert });
    const e = engine(databaseUrl);
    expect(await usesTls(e)).toBe(true);
    await expect(runMigrations(e)).resolves.toEqual([]);
    if (!noBackups) await expect(backupOrSkip(databaseUrl)).resolves.toMatchObject({ bytes: expect.any(Number) });
  });

  it('verify-full refuses a host name the certificate does not list, in all three', async () => {
    const databaseUrl = url('127.0.0.1', { sslmode: 'verify-full', sslrootcert: certs.caCert });
    const e = engine(databaseUrl);
    const engineError = await e.sequelize.authenticate().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String((engineError as Error)?.message)).toMatch(/altnames|Hostname|IP: 127\.0\.0\.1/i);
    const viaLibrary = await import('../src/index.js').then(({ createFoodsave }) => createFoodsave(e).admin.users.list().catch((err: unknown) => err));
    expect(viaLibrary).toBeInstanceOf(ConnectionError);
    await expect(runMigrations(e)).rejects.toBeInstanceOf(MigrationError);
    if (!noBackups) await expect(backupOrSkip(databaseUrl)).rejects.toBeInstanceOf(BackupError);
  });

  it('verify-ca checks the chain but not the name; a CA that did not sign the server is refused', async () => {
    const e = engine(url('127.0.0.1', { sslmode: 'verify-ca', sslrootcert: certs.caCert }));
    expect(await usesTls(e)).toBe(true);
    await expect(runMigrations(e)).resolves.toEqual([]);
    const wrong = url('127.0.0.1', { sslmode: 'verify-ca', sslrootcert: otherCa.caCert });
    await expect(runMigrations(engine(wrong))).rejects.toBeInstanceOf(MigrationError);
    if (!noBackups) await expect(backupOrSkip(wrong)).rejects.toBeInstanceOf(BackupError);
  });

  it('require with an sslrootcert verifies the chain, as libpq does', async () => {
    const e = engine(url('127.0.0.1', { sslmode: 'require', sslrootcert: otherCa.caCert }));
    await expect(e.sequelize.authenticate()).rejects.toThrow(/certificate/i);
  });

  it('prefer (the default) tries TLS first; allow tries plain first and then TLS; disable is refused by a TLS-only server', async () => {
    expect(await usesTls(engine(url('127.0.0.1', {})))).toBe(true);
    expect(await usesTls(engine(url('127.0.0.1', { sslmode: 'prefer' })))).toBe(true);
    expect(await usesTls(engine(url('127.0.0.1', { sslmode: 'allow' })))).toBe(true);
    const plain = engine(url('127.0.0.1', { sslmode: 'disable' }));
    await expect(plain.sequelize.authenticate()).rejects.toThrow(/pg_hba\.conf|rejects connection/);
    await expect(runMigrations(plain)).rejects.toBeInstanceOf(MigrationError);
  });

  it('sslcert and sslkey present a client certificate that the server accepts as the login', async () => {
    const databaseUrl = url(
      'localhost',
      { sslmode: 'verify-full', sslrootcert: certs.caCert, sslcert: certs.clientCert, sslkey: certs.clientKey },
      { name: CERT_USER },
    );
    const e = engine(databaseUrl);
    const [[who]] = (await e.sequelize.query('SELECT current_user AS u')) as unknown as [[{ u: string }]];
    expect(who.u).toBe(CERT_USER);
    await expect(runMigrations(e)).resolves.toEqual([]);
    if (!noBackups) await expect(backupOrSkip(databaseUrl)).resolves.toMatchObject({ bytes: expect.any(Number) });
    const withoutCert = engine(url('localhost', { sslmode: 'verify-full', sslrootcert: certs.caCert }, { name: CERT_USER }));
    await expect(withoutCert.sequelize.authenticate()).rejects.toThrow(/certificate/i);
  });
});
