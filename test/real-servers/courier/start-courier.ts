import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { daemonFromPidFile, removeDir, tempDir, waitForPort, type Daemon } from '../../harness/daemon.js';
import { freePorts } from '../dovecot/start-dovecot.js';

/** Where install-courier.sh unpacked the packages (they conflict with Dovecot's, so they are not installed). */
export const COURIER_ROOT = process.env.COURIER_ROOT ?? '/opt/wildtls/courier-imap';

export interface CourierOptions {
  ip: string;
  /** PEM: the private key, then the leaf, then intermediates (Courier reads all from TLS_CERTFILE). */
  certFilePem: string;
  /** IMAP_CAPABILITY: what the greeting and CAPABILITY list before TLS. */
  capability: string;
  /** IMAP_CAPABILITY_TLS: the list after STARTTLS. */
  capabilityTls: string;
  /** IMAP_TLS_REQUIRED=1: LOGINDISABLED before TLS. */
  tlsRequired: boolean;
  /** GnuTLS priority string for STARTTLS and implicit TLS. */
  priority?: string;
  /** Leave the certificate unreadable to couriertls: a real misconfiguration (STARTTLS accepted, then no TLS). */
  certUnreadable?: boolean;
}

export interface CourierInstance {
  ip: string;
  ports: { imap: number; imaps: number };
  stop(): Promise<void>;
}

/**
 * Courier-IMAP as its init scripts run it, minus /etc: couriertcpd on the
 * STARTTLS port runs imaplogin; on the implicit port it runs couriertls first.
 * couriertcpd forks into the background and writes its pid file: stop by pid.
 */
export async function startCourierImap(o: CourierOptions): Promise<CourierInstance> {
  const dir = tempDir('courier');
  chmodSync(dir, 0o755);
  const pem = join(dir, 'imapd.pem');
  writeFileSync(pem, o.certFilePem, { mode: 0o600 });
  // couriertls drops to the courier user before reading the certificate.
  const courier = Number(execFileSync('id', ['-u', 'courier']).toString().trim());
  if (!o.certUnreadable) chownSync(pem, courier, 0);
  const r = COURIER_ROOT;
  const env = {
    LD_LIBRARY_PATH: `${r}/usr/lib:${r}/usr/lib/x86_64-linux-gnu`,
    PATH: '/usr/bin:/bin',
    IMAP_CAPABILITY: o.capability,
    IMAP_CAPABILITY_TLS: o.capabilityTls,
    IMAP_STARTTLS: 'YES',
    IMAP_TLS_REQUIRED: o.tlsRequired ? '1' : '0',
    COURIERTLS: `${r}/usr/bin/couriertls`,
    TLS_CERTFILE: pem,
    TLS_VERIFYPEER: 'NONE',
    ...(o.priority ? { TLS_PRIORITY: o.priority } : {}),
  };
  const [imap, imaps] = await freePorts(o.ip, 2);
  const ports = { imap: imap!, imaps: imaps! };
  const tcpd = (pidFile: string, port: number, program: string[], extraEnv: Record<string, string> = {}) =>
    execFileSync(`${r}/usr/sbin/couriertcpd`, [`-address=${o.ip}`, '-nodnslookup', '-noidentlookup', '-maxprocs=10', `-pid=${pidFile}`, String(port), ...program], { env: { ...env, ...extraEnv }, stdio: 'ignore', timeout: 5000 });
  const login = [`${r}/usr/lib/courier/courier/imaplogin`, `${r}/usr/bin/imapd`, 'Maildir'];
  const daemons: Daemon[] = [];
  const stop = async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    removeDir(dir);
  };
  const started = async (pidFile: string, port: number) => {
    await waitForFile(pidFile);
    daemons.push(daemonFromPidFile(pidFile));
    await waitForPort(o.ip, port, 10_000);
  };
  try {
    tcpd(join(dir, 'imap.pid'), ports.imap, login);
    await started(join(dir, 'imap.pid'), ports.imap);
    // As the imapd-ssl init script: no STARTTLS offer on the implicit port.
    tcpd(join(dir, 'imaps.pid'), ports.imaps, [`${r}/usr/bin/couriertls`, '-server', '-tcpd', '-user=courier', ...login], { IMAP_TLS: '1', IMAP_STARTTLS: 'NO' });
    await started(join(dir, 'imaps.pid'), ports.imaps);
  } catch (err) {
    await stop();
    throw err;
  }
  return { ip: o.ip, ports, stop };
}

async function waitForFile(path: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
    if (Date.now() > deadline) throw new Error(`${path} not written within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
