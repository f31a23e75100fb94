/**
 * A certificate authority, a server certificate and a client certificate, made with the openssl CLI for
 * a test's TLS server. The server certificate names only `serverHosts` (default `localhost`), so a
 * connection to 127.0.0.1 with host-name verification must fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Certificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  remove(): Promise<void>;
}

/** Why certificates cannot be made here, or undefined when they can. */
export function opensslMissingReason(): string | undefined {
  const probe = spawnSync('openssl', ['version']);
  return probe.status === 0 ? undefined : 'openssl is not installed (Debian: apt-get install openssl)';
}

export async function makeCertificates(
  options: { serverHosts?: string[]; clientUser?: string; owner?: { uid: number; gid: number } } = {},
): Promise<Certificates> {
  const dir = mkdtempSync(path.join(tmpdir(), 'foodsave-certs-'));
  chmodSync(dir, 0o755);
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=foodsave test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  const sign = (name: string, subject: string, extensions: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
  };
  const hosts = options.serverHosts ?? ['localhost'];
  sign('server', `/CN=${hosts[0]}`, `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  sign('client', `/CN=${options.clientUser ?? 'postgres'}`, 'extendedKeyUsage=clientAuth\n');
  // PostgreSQL and libpq refuse a private key that others can read.
  for (const name of readdirSync(dir)) {
    chmodSync(file(name), name.endsWith('.key') ? 0o600 : 0o644);
    if (options.owner) chownSync(file(name), options.owner.uid, options.owner.gid);
  }
  if (options.owner) chownSync(dir, options.owner.uid, options.owner.gid);
  return {
    dir,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    remove: async () => {
      process.removeListener('exit', removeOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Server settings that turn TLS on with these certificates. */
export function sslServerSettings(certs: Certificates): Record<string, string> {
  return { ssl: 'on', ssl_cert_file: certs.serverCert, ssl_key_file: certs.serverKey, ssl_ca_file: certs.caCert };
}
