import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LimboCase } from './limbo-runner.js';

export function openSslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { timeout: 5000 }).status === 0;
}

export function openSslVersion(): string {
  return spawnSync('openssl', ['version'], { timeout: 5000, encoding: 'utf8' }).stdout.trim();
}

let dir: string | undefined;

function tmp(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'wildtls-openssl-'));
  return join(dir, name);
}

export function pem(der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface OpenSslRun {
  ok: boolean;
  /** Every "error N at D depth lookup" line, in the order printed; the first is what OpenSSL reports first. */
  errors: Array<{ code: number; depth: number }>;
  /** Exit status and stderr, for cases that fail without an error line (a file that does not load). */
  status: number | null;
  stderr: string;
}

/**
 * `openssl verify` over one chain as the study ran it: the trust anchors as
 * the only CA file (-no-CApath -no-CAstore), the certificates sent after the
 * leaf as -untrusted, -purpose sslserver, -attime; -auth_level and a host
 * name only when given. Bounded by a 10 s timeout.
 */
export function runOpenSslVerify(o: { leaf: string; untrusted: string[]; trusted: string[]; at?: number; authLevel?: number; host?: { kind: 'DNS' | 'IP'; value: string } }): OpenSslRun {
  writeFileSync(tmp('roots.pem'), o.trusted.join('\n'));
  writeFileSync(tmp('untrusted.pem'), o.untrusted.join('\n'));
  writeFileSync(tmp('leaf.pem'), o.leaf);
  const args = ['verify', '-no-CApath', '-no-CAstore', '-CAfile', tmp('roots.pem'), '-purpose', 'sslserver'];
  if (o.authLevel !== undefined) args.push('-auth_level', String(o.authLevel));
  if (o.untrusted.length) args.push('-untrusted', tmp('untrusted.pem'));
  if (o.at !== undefined) args.push('-attime', String(Math.floor(o.at / 1000)));
  if (o.host?.kind === 'DNS') args.push('-verify_hostname', o.host.value);
  if (o.host?.kind === 'IP') args.push('-verify_ip', o.host.value);
  args.push(tmp('leaf.pem'));
  const r = spawnSync('openssl', args, { timeout: 10_000, encoding: 'utf8' });
  const errors = [...`${r.stderr}${r.stdout}`.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => ({ code: Number(m[1]), depth: Number(m[2]) }));
  return { ok: r.status === 0 && errors.length === 0, errors, status: r.status, stderr: r.stderr };
}

/**
 * `openssl verify` over one limbo SERVER case, the way the suite's README runs
 * it (with -verify_hostname/-verify_ip for the expected peer name, the
 * default security level).
 */
export function openSslVerdict(tc: LimboCase): 'SUCCESS' | 'FAILURE' {
  const r = runOpenSslVerify({
    leaf: tc.peer_certificate,
    untrusted: tc.untrusted_intermediates,
    trusted: tc.trusted_certs,
    at: tc.validation_time ? Date.parse(tc.validation_time) : undefined,
    host: tc.expected_peer_name?.kind === 'DNS' || tc.expected_peer_name?.kind === 'IP' ? { kind: tc.expected_peer_name.kind, value: tc.expected_peer_name.value } : undefined,
  });
  return r.ok ? 'SUCCESS' : 'FAILURE';
}
