import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { certificateAuthorities, issue, newKey, type Issued } from '../synthetic/certificates.mjs';
import { fixtureRecord, synthesize } from '../synthetic/fixture-library.mjs';
import { ROOT, runCli } from './run-cli.js';

/**
 * `wildtls show` on recorded results: fixture records of real scans (the
 * library in test/synthetic), some with their chain swapped for one of the
 * test PKI whose every field is declared here (subject, dates, key), so what
 * show must print is written down, not computed by a second decoder. The
 * verdicts come from ca-practice's validator with the test root as anchor.
 */
const FIXTURE = join(ROOT, 'test/synthetic/fixture/records.jsonl');
const AT = new Date('2026-01-15T00:00:00Z');
const DAY = 86_400_000;
const LEAF_VALIDITY: [Date, Date] = [new Date(AT.getTime() - 30 * DAY), new Date(AT.getTime() + 365 * DAY)];
// Every control character a terminal acts on, C1 and bidi overrides included; only \n may separate lines.
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let dir = '';
let roots = '';
let results = '';
let valid: Issued;
let selfSigned: Issued;

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
const line = (r: ProbeRecord) => `${JSON.stringify(r)}\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-show-'));
  const ca = await certificateAuthorities(AT);
  roots = join(dir, 'roots.pem');
  writeFileSync(roots, ca.root.pem);
  valid = await issue({ subject: [{ CN: 'valid.show.test' }, { O: 'wildtls show' }], issuer: ca.intermediate, keys: await newKey('rsa-2048'), validity: LEAF_VALIDITY });
  selfSigned = await issue({ subject: [{ CN: 'self.show.test' }], keys: await newKey('rsa-2048'), validity: LEAF_VALIDITY });
  const hostile = await issue({ subject: [{ CN: 'evil\u001b[31mred\u0007\u202eX' }], keys: await newKey('rsa-2048'), validity: LEAF_VALIDITY });
  const smtp = fixtureRecord('postfix-smtp');
  // A hostile server: every string it controls carries escape sequences. Beyond the synthetic rule on purpose
  // (the scanner escapes SASL names itself; show must not rely on any field being clean).
  const hostileRecord = {
    ...synthesize(smtp, { ip: '127.0.61.9', chain: [hostile.b64] }),
    sasl: { beforeTls: [], afterTls: ['PLAIN\u001b[2J'] },
    banner: '220 evil\u001b]0;pwned\u0007 ESMTP\r\u009b31m',
    starttls: { offered: true, upgraded: true, reply: '220 go\u001b[1A\u001b[2K' },
  } as ProbeRecord;
  results = join(dir, 'results.jsonl');
  writeFileSync(results, [
    synthesize(smtp, { ip: '127.0.61.1', startedAt: AT.toISOString(), chain: [valid.b64, ca.intermediate.b64] }),
    synthesize(fixtureRecord('sserver-tls13'), { ip: '127.0.61.2', port: 4433, startedAt: AT.toISOString(), chain: [selfSigned.b64] }),
    synthesize(fixtureRecord('exim-no-cert-smtp'), { ip: '127.0.61.3', port: 25 }),
    synthesize(fixtureRecord('postfix-submission'), { ip: '127.0.61.1', startedAt: AT.toISOString(), chain: [valid.b64, ca.intermediate.b64] }),
    hostileRecord,
  ].map(line).join(''));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const show = async (args: string[]) => {
  const r = await runCli(['show', results, '--roots', roots, ...args], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
/** The block of lines `show` prints for one host. */
const block = (out: string, head: string) => {
  const blocks = out.split('\n\n');
  const found = blocks.filter((b) => b.startsWith(head));
  expect(found, `one block starting ${head} in:\n${out}`).toHaveLength(1);
  return found[0]!;
};

describe('wildtls show', () => {
  it('a valid chain: each certificate decoded, the verdict valid under openssl', async () => {
    const b = block(await show(['--target', '127.0.61.1:25']), 'smtp 127.0.61.1:25 (starttls) → success');
    expect(b).toContain('STARTTLS:    offered yes, accepted (upgraded) yes (reply "220 2.0.0 Ready to start TLS")');
    expect(b).toContain('SASL:        before TLS [-], after TLS [-]');
    expect(b).toContain('TLS:         TLSv1.3 TLS_AES_256_GCM_SHA384, key exchange TLS13 x25519');
    expect(b).toContain('OCSP:        not stapled');
    expect(b).toMatch(/certificate 1\/2 \(leaf\):\n {4}subject: {3}CN=valid\.show\.test, O=wildtls show\n {4}issuer: {4}CN=Synthetic Intermediate CA, O=wildtls synthetic\n/);
    expect(b).toContain(`    valid:     ${LEAF_VALIDITY[0].toISOString()} to ${LEAF_VALIDITY[1].toISOString()}`);
    expect(b).toContain('    key:       rsa 2048 bits');
    expect(b).toContain(`    SHA-256:   ${sha256(valid.der)}`);
    expect(b).toContain('certificate 2/2:\n    subject:   CN=Synthetic Intermediate CA, O=wildtls synthetic');
    expect(b).toContain('  chain:       valid (profile openssl); openssl verify: ok');
  }, 60_000);

  it('a self-signed chain: every error, and OpenSSL\'s first', async () => {
    const out = await show(['--target', '127.0.61.2']);
    const b = block(out, 'tls 127.0.61.2:4433 (implicit) → success');
    expect(b).toContain('certificate 1/1 (leaf):\n    subject:   CN=self.show.test\n    issuer:    itself (self-issued)');
    expect(b).toContain('    key:       rsa 2048 bits');
    expect(b).toContain(`    SHA-256:   ${sha256(selfSigned.der)}`);
    expect(b).toContain('  chain:       invalid: self-signed (profile openssl); openssl verify: error 18 at depth 0 (self-signed certificate)');
    // Under strict, the same chain: still self-signed, and the verdict says which profile.
    expect(await show(['--target', '127.0.61.2', '--validity-profile', 'strict'])).toMatch(/chain: {7}invalid: [^\n]*self-signed[^\n]*\(profile strict\)/);
  }, 60_000);

  it('a STARTTLS refusal: the reply, no TLS, no chain', async () => {
    const b = block(await show(['--target', '127.0.61.3:25']), 'smtp 127.0.61.3:25 (starttls) → starttls-refused');
    expect(b).toContain('STARTTLS:    offered yes, accepted (upgraded) no (reply "454 TLS currently unavailable")');
    expect(b).not.toMatch(/\n {2}TLS: |certificate|chain:/);
  }, 60_000);

  it('hostile strings: escaped, never a raw control character', async () => {
    const out = await show(['--target', '127.0.61.9']);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('banner:      220 evil\\x1b]0;pwned\\x07 ESMTP\\x0d\\x9b31m');
    expect(out).toContain('(reply "220 go\\x1b[1A\\x1b[2K")');
    expect(out).toContain('after TLS [PLAIN\\x1b[2J]');
    // OpenSSL escapes C0 characters in names its own way (\1B); show escapes what it leaves (the bidi override).
    expect(out).toContain('    subject:   CN=evil\\1B[31mred\\07\\u202eX');
    // JSON keeps the value (escaped the JSON way) for programs.
    const json = await show(['--target', '127.0.61.9', '--format', 'json']);
    expect(json).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(json) as { banner: string }).banner).toBe('220 evil\u001b]0;pwned\u0007 ESMTP\r\u009b31m');
  }, 60_000);

  it('--target: an IP gives every port of it, IP:PORT one record, an absent target exits non-zero naming it', async () => {
    const all = (await show(['--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { host: string; service: string });
    expect(all.map((h) => h.host)).toEqual(['127.0.61.1:25', '127.0.61.2:4433', '127.0.61.3:25', '127.0.61.1:587', '127.0.61.9:25']);
    const ip = (await show(['--target', '127.0.61.1', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { host: string; service: string });
    expect(ip.map((h) => `${h.service} ${h.host}`)).toEqual(['smtp 127.0.61.1:25', 'submission 127.0.61.1:587']);
    const missing = await runCli(['show', results, '--target', '127.0.61.1:465'], { cwd: dir });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('127.0.61.1:465');
    expect(missing.stdout).toBe('');
    const bad = await runCli(['show', results, '--target', 'mail.example'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--target mail.example');
  }, 60_000);

  it('a real scan record: SANs as the farm certificate has them', async () => {
    const r = await runCli(['show', FIXTURE, '--target', '127.0.49.1:25'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('    SANs:      DNS:mx.farm.wildtls.test, IP Address:127.0.0.1');
    expect(r.stdout).toContain('  chain:       invalid: unknown-issuer (profile openssl); openssl verify: error 20 at depth 1 (unable to get local issuer certificate)');
  }, 60_000);
});
