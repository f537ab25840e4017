import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LimboCase } from './limbo-runner.js';

export function openSslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { timeout: 5000 }).status === 0;
}

let dir: string | undefined;

/**
 * `openssl verify` over one SERVER case, the way the suite's README runs it:
 * only the case's trusted certificates as roots, -attime, -purpose sslserver,
 * -verify_hostname/-verify_ip. Bounded by a 10 s timeout per case.
 */
export function openSslVerdict(tc: LimboCase): 'SUCCESS' | 'FAILURE' {
  dir ??= mkdtempSync(join(tmpdir(), 'wildtls-limbo-'));
  const roots = join(dir, 'roots.pem');
  const untrusted = join(dir, 'untrusted.pem');
  const leaf = join(dir, 'leaf.pem');
  writeFileSync(roots, tc.trusted_certs.join('\n'));
  writeFileSync(untrusted, tc.untrusted_intermediates.join('\n'));
  writeFileSync(leaf, tc.peer_certificate);
  const args = ['verify', '-no-CApath', '-no-CAstore', '-CAfile', roots, '-purpose', 'sslserver'];
  if (tc.untrusted_intermediates.length) args.push('-untrusted', untrusted);
  if (tc.validation_time) args.push('-attime', String(Math.floor(Date.parse(tc.validation_time) / 1000)));
  if (tc.expected_peer_name?.kind === 'DNS') args.push('-verify_hostname', tc.expected_peer_name.value);
  if (tc.expected_peer_name?.kind === 'IP') args.push('-verify_ip', tc.expected_peer_name.value);
  args.push(leaf);
  const r = spawnSync('openssl', args, { timeout: 10_000, encoding: 'utf8' });
  return r.status === 0 ? 'SUCCESS' : 'FAILURE';
}
