import { existsSync } from 'node:fs';
import { it } from 'vitest';

/**
 * Real-server suites never pass silently. A suite that needs installed
 * software asks for it here, when vitest collects the file:
 *
 *   const ready = requireBinary('/usr/sbin/nginx', 'nginx');
 *   describe.runIf(ready)('nginx ...', () => { ... });      // and `if (!ready) return;` in file-level hooks
 *
 * When everything is installed, `ready` is true and nothing else happens.
 * When something is missing, the file gets one failing test whose message
 * names each missing file and the Debian package that provides it, and the
 * suite's own tests are skipped (they could only fail for the same reason).
 *
 * WILDTLS_ALLOW_MISSING_SERVERS=1 turns that failure into a skip, announced on
 * stderr and in the skipped test's name: for a developer's machine without
 * the daemons. CI and .ci/run never set it.
 */
export const ALLOW_MISSING_SERVERS = 'WILDTLS_ALLOW_MISSING_SERVERS';

export interface RequiredBinary {
  /** Absolute path of the executable (or file) the suite runs. */
  path: string;
  /** The Debian package that provides it. */
  pkg: string;
  /** How to get it, when it is not `apt-get install` (unpacked packages). */
  how?: string;
}

/** What the real-server suites start, with the Debian packages scripts/install-test-deps.sh installs. */
export const DAEMONS = {
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl' },
  nginx: { path: '/usr/sbin/nginx', pkg: 'nginx' },
  postfix: { path: '/usr/sbin/postfix', pkg: 'postfix' },
  dovecot: { path: '/usr/sbin/dovecot', pkg: 'dovecot-core' },
  dovecotImap: { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  dovecotPop3: { path: '/usr/lib/dovecot/pop3', pkg: 'dovecot-pop3d' },
  prosody: { path: '/usr/bin/prosody', pkg: 'prosody' },
  inspircd: { path: '/usr/sbin/inspircd', pkg: 'inspircd' },
  vsftpd: { path: '/usr/sbin/vsftpd', pkg: 'vsftpd' },
} satisfies Record<string, RequiredBinary>;

/** The message of a missing binary: what, which package, how to get it. */
export function missingMessage(b: RequiredBinary): string {
  const how = b.how ?? `apt-get install -y ${b.pkg} (scripts/install-test-deps.sh installs every test daemon)`;
  return `${b.path} is missing (Debian package ${b.pkg}): ${how}`;
}

/** For helpers that start a daemon: the path, or an Error with missingMessage. */
export function binaryOrThrow(path: string, pkg: string, how?: string): string {
  if (!existsSync(path)) throw new Error(missingMessage({ path, pkg, ...(how ? { how } : {}) }));
  return path;
}

/** Collection-time check of one binary; see the module comment. */
export function requireBinary(path: string, pkg: string, how?: string): boolean {
  return requireBinaries([{ path, pkg, ...(how ? { how } : {}) }]);
}

/** Collection-time check of every binary a suite needs; see the module comment. */
export function requireBinaries(binaries: RequiredBinary[]): boolean {
  const missing = binaries.filter((b) => !existsSync(b.path));
  if (missing.length === 0) return true;
  const message = missing.map(missingMessage).join('\n');
  const name = `needs ${missing.map((b) => `${b.path} (${b.pkg})`).join(', ')}`;
  if (process.env[ALLOW_MISSING_SERVERS] === '1') {
    process.stderr.write(`\nSKIPPED because ${ALLOW_MISSING_SERVERS}=1: ${message}\n`);
    it.skip(`${name}: skipped, ${ALLOW_MISSING_SERVERS}=1`, () => {});
  } else {
    it(name, () => {
      throw new Error(`${message}\n(set ${ALLOW_MISSING_SERVERS}=1 to skip real-server suites on a machine without them; never in CI)`);
    });
  }
  return false;
}
