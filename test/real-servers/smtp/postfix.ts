import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { daemonFromPidFile, waitForPort, type Daemon } from '../../harness/daemon.js';
import { binaryOrThrow, DAEMONS } from '../../harness/require-binary.js';

export interface PostfixOptions {
  /** smtpd_tls_chain_files: private key, leaf, intermediate. */
  bundleFile: string;
  /** Dovecot SASL socket (smtpd_sasl_path). */
  saslSocket: string;
  /** master.cf service lines, e.g. `127.0.10.1:25 inet n - n - - smtpd -o ...`. */
  services: string[];
  /** host:port pairs to wait for. */
  listens: Array<{ host: string; port: number }>;
}

/**
 * One Postfix instance from a config directory of its own (postfix -c DIR):
 * queue, data and log under DIR, listeners only on the given loopback
 * addresses, stopped by the master's pid.
 */
export const POSTFIX_INSTALL = 'apt-get install -y postfix (DEBIAN_FRONTEND=noninteractive, with a policy-rc.d that exits 101; scripts/install-test-deps.sh does this)';

export async function startPostfix(dir: string, o: PostfixOptions): Promise<Daemon & { maillog(): string }> {
  const postfix = binaryOrThrow(DAEMONS.postfix.path, DAEMONS.postfix.pkg, POSTFIX_INSTALL);
  if (userInfo().uid !== 0) throw new Error('Postfix real-server tests run as root (postfix -c DIR start needs it)');
  const conf = join(dir, 'postfix');
  mkdirSync(join(conf, 'queue'), { recursive: true });
  mkdirSync(join(conf, 'data'), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(conf, 0o755);
  const postfixUid = Number(spawnSync('id', ['-u', 'postfix']).stdout.toString().trim());
  chownSync(join(conf, 'data'), postfixUid, -1);
  const maillog = join(conf, 'maillog');
  writeFileSync(join(conf, 'main.cf'), `
compatibility_level = 3.6
queue_directory = ${conf}/queue
data_directory = ${conf}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mx.wildtls.test
smtpd_banner = $myhostname ESMTP wildtls-test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
maillog_file = ${maillog}
maillog_file_prefixes = ${dir}
smtpd_peername_lookup = no
smtpd_tls_chain_files = ${o.bundleFile}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${o.saslSocket}
`);
  writeFileSync(join(conf, 'master.cf'), [
    ...o.services,
    'anvil unix - - n - 1 anvil',
    'cleanup unix n - n - 0 cleanup',
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'proxymap unix - - n - - proxymap',
    'postlog unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n'));
  const readLog = () => (existsSync(maillog) ? readFileSync(maillog, 'utf8') : '');
  for (const cmd of ['check', 'start']) {
    const r = spawnSync(postfix, ['-c', conf, cmd], { timeout: 20_000, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`postfix ${cmd} failed (${r.status}): ${r.stderr}\n${readLog()}`);
  }
  const pidFile = join(conf, 'queue', 'pid', 'master.pid');
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error(`postfix wrote no ${pidFile}: ${readLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const daemon = daemonFromPidFile(pidFile, readLog);
  try {
    for (const l of o.listens) await waitForPort(l.host, l.port, 10_000);
  } catch (err) {
    await daemon.stop();
    throw new Error(`${(err as Error).message}\n${readLog()}`);
  }
  return { ...daemon, maillog: readLog };
}
