import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground, type Daemon } from '../../harness/daemon.js';
import { binaryOrThrow, DAEMONS } from '../../harness/require-binary.js';

export interface DovecotAuth {
  daemon: Daemon;
  /** The SASL socket Postfix talks to (smtpd_sasl_type = dovecot). */
  socket: string;
}

/**
 * Dovecot as a SASL back end only: no IMAP or POP3 listeners, just the auth
 * service with a unix socket, offering the mechanisms in `mechanisms` order.
 */
export async function startDovecotAuth(dir: string, mechanisms: string[]): Promise<DovecotAuth> {
  const bin = binaryOrThrow(DAEMONS.dovecot.path, DAEMONS.dovecot.pkg);
  const base = join(dir, 'dovecot');
  mkdirSync(join(base, 'run'), { recursive: true, mode: 0o755 });
  mkdirSync(join(base, 'state'), { recursive: true, mode: 0o755 });
  // No real account: the scanner never authenticates; the passdb only has to exist.
  writeFileSync(join(base, 'users'), 'nobody-here:{PLAIN}not-a-real-password\n');
  const conf = join(base, 'dovecot.conf');
  writeFileSync(conf, `
base_dir = ${base}/run
state_dir = ${base}/state
instance_name = wildtls-smtp-auth
protocols =
ssl = no
log_path = ${base}/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
auth_mechanisms = ${mechanisms.join(' ').toLowerCase()}
passdb {
  driver = passwd-file
  args = ${base}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`);
  const daemon = startForeground(bin, ['-F', '-c', conf]);
  const socket = join(base, 'run', 'auth-postfix');
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`dovecot auth socket ${socket} did not appear: ${daemon.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { daemon, socket };
}
