import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../../harness/daemon.js';
import { dovecotConfig, opensslMaxProtocolConf } from './dovecot-config.mjs';

export const DOVECOT = '/usr/sbin/dovecot';

export interface DovecotOptions {
  ip: string;
  ssl: boolean;
  disablePlaintextAuth: boolean;
  mechanisms: string[];
  /** PEM of the certificate file: leaf first, then the intermediates to send. */
  certChainPem?: string;
  keyPem?: string;
  minTls?: 'TLSv1.2' | 'TLSv1.3';
  maxTls?: 'TLSv1.2';
}

export interface DovecotInstance {
  ip: string;
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  dir: string;
  daemon: Daemon;
  stop: () => Promise<void>;
}

/**
 * `n` distinct free TCP ports on `ip`, asked of the kernel with all `n` held open at once, then released
 * for the daemon (one at a time, a port just released could be handed out again: Dovecot then refused
 * its config with "duplicate listener").
 */
export async function freePorts(ip: string, n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(servers.map((srv) => new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, ip, () => resolve((srv.address() as AddressInfo).port));
    })));
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => (srv.listening ? srv.close(() => resolve()) : resolve()))));
  }
}

/**
 * Start one Dovecot (IMAP + POP3) on a loopback address from a config in a
 * temporary directory, in the foreground, and wait for its ports. stop() ends
 * it by pid and removes the directory.
 */
export async function startDovecot(o: DovecotOptions): Promise<DovecotInstance> {
  const dir = tempDir('dovecot');
  // Login processes run as dovenull and must reach the sockets under base_dir.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'));
  writeFileSync(join(dir, 'passwd'), 'scanner-test:{PLAIN}not-a-real-password\n', { mode: 0o644 });
  if (o.ssl) {
    if (!o.certChainPem || !o.keyPem) throw new Error('startDovecot: ssl needs certChainPem and keyPem');
    writeFileSync(join(dir, 'cert.pem'), o.certChainPem);
    writeFileSync(join(dir, 'key.pem'), o.keyPem, { mode: 0o600 });
  }
  let opensslConf: string | undefined;
  if (o.maxTls) {
    opensslConf = join(dir, 'openssl.cnf');
    writeFileSync(opensslConf, opensslMaxProtocolConf(o.maxTls));
  }
  const [imap, imaps, pop3, pop3s] = await freePorts(o.ip, 4);
  const ports = { imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s! };
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, dovecotConfig({ dir, ip: o.ip, ports, ssl: o.ssl, disablePlaintextAuth: o.disablePlaintextAuth, mechanisms: o.mechanisms, minTls: o.minTls, opensslConf }));
  const daemon = startForeground(DOVECOT, ['-F', '-c', conf]);
  const stop = async () => {
    await daemon.stop();
    removeDir(dir);
  };
  try {
    const listening = o.ssl ? [ports.imap, ports.imaps, ports.pop3, ports.pop3s] : [ports.imap, ports.pop3];
    for (const p of listening) await waitForPort(o.ip, p, 10_000);
  } catch (err) {
    const out = daemon.output();
    await stop();
    throw new Error(`dovecot on ${o.ip} did not start: ${(err as Error).message}\n${out}`);
  }
  return { ip: o.ip, ports, dir, daemon, stop };
}
