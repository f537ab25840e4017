import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startForeground, waitForPort, type Daemon } from '../../harness/daemon.js';
import { binaryOrThrow } from '../../harness/require-binary.js';

export const EXIM_BIN = process.env.WILDTLS_EXIM_BIN ?? (existsSync('/usr/sbin/exim4') ? '/usr/sbin/exim4' : '/opt/wildtls-exim/usr/sbin/exim4');

/** Exim conflicts with Postfix: its packages are unpacked, not installed. */
export const EXIM_INSTALL = 'run test/real-servers/smtp/install-exim.sh (scripts/install-test-deps.sh does)';

export interface EximOptions {
  name: string;
  host: string;
  /** Ports; those in `implicitPorts` speak TLS from the first byte (tls_on_connect_ports). */
  ports: number[];
  implicitPorts?: number[];
  /** Leaf + intermediate PEM and key; a path that does not exist gives Exim's "454 TLS currently unavailable". */
  certFile: string;
  keyFile: string;
  /** GnuTLS priority string (tls_require_ciphers), e.g. to cap the version. */
  priority?: string;
}

/**
 * Exim 4 from an unpacked Debian package with a config of its own (-C), in
 * the foreground (-bdf), on one loopback address. SASL: CRAM-MD5 is offered
 * always, PLAIN and LOGIN only over TLS, none of them can succeed.
 */
export async function startExim(dir: string, o: EximOptions): Promise<Daemon & { log(): string }> {
  const bin = binaryOrThrow(EXIM_BIN, 'exim4-daemon-light', EXIM_INSTALL);
  const base = join(dir, `exim-${o.name}`);
  for (const d of ['spool', 'log']) mkdirSync(join(base, d), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(base, 0o755);
  const uid = Number(spawnSync('id', ['-u', 'Debian-exim']).stdout.toString().trim());
  if (!uid) throw new Error('the Debian-exim system user is missing: run test/real-servers/smtp/install-exim.sh');
  for (const d of ['spool', 'log']) chownSync(join(base, d), uid, -1);
  const conf = join(base, 'exim.conf');
  writeFileSync(conf, `
primary_hostname = exim-${o.name}.wildtls.test
# No date in the banner, so a recorded transcript stays comparable.
smtp_banner = $smtp_active_hostname ESMTP Exim $version_number
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = ${base}/spool
log_file_path = ${base}/log/%slog
pid_file_path = ${base}/exim.pid
local_interfaces = ${o.host}
daemon_smtp_ports = ${o.ports.join(' : ')}
${o.implicitPorts?.length ? `tls_on_connect_ports = ${o.implicitPorts.join(' : ')}` : ''}
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = ${o.certFile}
tls_privatekey = ${o.keyFile}
${o.priority ? `tls_require_ciphers = ${o.priority}` : ''}
auth_advertise_hosts = *
acl_smtp_rcpt = deny_all

begin acl
deny_all:
  deny

begin authenticators
cram_md5:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if eq{1}{0}{x}fail}
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = false
  server_advertise_condition = \${if def:tls_in_cipher}
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = false
  server_advertise_condition = \${if def:tls_in_cipher}
`);
  const logs = () => {
    const d = join(base, 'log');
    return existsSync(d) ? readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8')).join('\n') : '';
  };
  const daemon = startForeground(bin, ['-C', conf, '-bdf']);
  try {
    for (const p of o.ports) await waitForPort(o.host, p, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`${(err as Error).message}\n${daemon.output()}\n${logs()}`);
  }
  return { ...daemon, output: () => `${daemon.output()}\n${logs()}`, log: logs };
}
