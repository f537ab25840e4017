import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateChain } from '@wildtls/core/testing';
import { ChainService, loadTrustStore, type Profile } from '@wildtls/analysis-ca-practice';
import { cnAsDnsName } from '../src/openssl/name-constraints.js';
import { NOW, issue, resign, type Issued } from './pki.js';

/**
 * The default profile's rules as declared (security level 1, OpenSSL's
 * checks only, the strict profile's extra rules as flags); that OpenSSL
 * itself decides the same is openssl-agreement.test.ts's job.
 */
const DAY = 86_400_000;
let root: Issued;
let inter: Issued;
let leaf: Issued;
let rootsFile: string;

function service(profile?: Profile, maxValidityDays = 398): ChainService {
  return new ChainService({ store: loadTrustStore(rootsFile), profile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays, useScanIntermediates: true });
}

const verdict = (chain: Issued[], at = NOW, svc = service()) => svc.verdict(chain.map((c) => c.b64), at);

beforeAll(async () => {
  root = await issue({ name: 'Profile Root', ca: true });
  inter = await issue({ name: 'Profile Intermediate', ca: true, issuer: root });
  leaf = await issue({ name: 'mail.example.org', dns: ['mail.example.org'], issuer: inter });
  rootsFile = join(mkdtempSync(join(tmpdir(), 'ca-profile-')), 'roots.pem');
  writeFileSync(rootsFile, root.pem);
});

describe('the openssl profile (default)', () => {
  it('valid chain: no error, OpenSSL code 0', () => {
    const v = verdict([leaf, inter]);
    expect(v.errors).toEqual([]);
    expect(v.openssl).toEqual({ code: 0, depth: 0 });
  });

  it('every error of a chain, OpenSSL\'s first one as the primary', async () => {
    const ss = await issue({ name: 'self.example.org', dns: ['self.example.org'] });
    const late = verdict([ss], NOW + 200 * DAY);
    expect(late.errors).toEqual(['self-signed', 'expired']);
    expect(late.openssl).toEqual({ code: 18, depth: 0 });
    const expired = verdict([leaf, inter], NOW + 200 * DAY);
    // Validity periods are checked from the top down: the root (depth 2, expired too) is reported before the leaf.
    expect(expired.errors).toEqual(['expired']);
    expect(expired.openssl).toEqual({ code: 10, depth: 2 });
  });

  it('security level 1: RSA-1024 and SHA-1 pass (flagged), MD5 fails', async () => {
    const weak = await issue({ name: 'w.example.org', dns: ['w.example.org'], issuer: inter, rsaBits: 1024 });
    const w = verdict([weak, inter]);
    expect(w.errors).toEqual([]);
    expect(w.flags).toContain('weak-key');
    const rsaCa = await issue({ name: 'RSA Intermediate', ca: true, issuer: root, rsaBits: 2048 });
    const l = await issue({ name: 'h.example.org', dns: ['h.example.org'], issuer: rsaCa });
    const sha1 = verdict([await resign(l, rsaCa, 'sha1'), rsaCa]);
    expect(sha1.errors).toEqual([]);
    expect(sha1.flags).toContain('sha1-signature');
    const md5 = verdict([await resign(l, rsaCa, 'md5'), rsaCa]);
    expect(md5.errors).toEqual(['weak-signature']);
    expect(md5.openssl).toEqual({ code: 68, depth: 0 });
  });

  it('rules OpenSSL does not enforce become CA-practice flags: missing key identifiers, a CA as the leaf', async () => {
    // @wildtls/core/testing's chains carry no authority key identifier.
    const ch = await certificateChain({ keyType: 'ec' });
    const store = join(mkdtempSync(join(tmpdir(), 'ca-profile-')), 'roots.pem');
    writeFileSync(store, ch.root.certPem);
    const svc = new ChainService({ store: loadTrustStore(store), strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: false });
    const strict = new ChainService({ ...svc.settings, profile: 'strict' });
    const chain = [ch.leaf.der.toString('base64'), ch.intermediate.der.toString('base64')];
    const v = svc.verdict(chain, Date.now());
    expect(v.errors).toEqual([]);
    expect(v.flags).toContain('key-identifiers');
    expect(strict.verdict(chain, Date.now()).errors).toEqual(['key-identifiers']);
    // A CA certificate as the leaf: the CA bit is a flag; its key usage (certificate signing only) is what OpenSSL rejects.
    const caLeaf = await issue({ name: 'ca-leaf.example.org', ca: true, issuer: inter });
    const c = verdict([caLeaf, inter]);
    expect(c.errors).toEqual(['leaf-key-usage']);
    expect(c.openssl).toEqual({ code: 26, depth: 0 });
    expect(c.flags).toContain('leaf-is-ca');
  });

  it('a client-only leaf and a CA without keyCertSign fail as OpenSSL says', async () => {
    const client = await issue({ name: 'c.example.org', dns: ['c.example.org'], issuer: inter, eku: ['1.3.6.1.5.5.7.3.2'] });
    expect(verdict([client, inter]).errors).toEqual(['extended-key-usage']);
    expect(verdict([client, inter]).openssl).toEqual({ code: 26, depth: 0 });
    const notCa = await issue({ name: 'Not A CA', issuer: root, noBasicConstraints: true, ca: false, dns: ['x.example.org'] });
    const below = await issue({ name: 'y.example.org', dns: ['y.example.org'], issuer: notCa });
    // No basicConstraints and a keyUsage without keyCertSign: invalid CA (79), unsuitable as a CA (26), no certificate signing (32).
    const v = verdict([below, notCa]);
    expect(v.errors).toEqual(['not-a-ca', 'ca-key-usage']);
    expect(v.openssl).toEqual({ code: 79, depth: 1 });
  });

  it('missing intermediate: OpenSSL says unable to get local issuer, the scan completes the chain; in either order', async () => {
    const other = await issue({ name: 'other.example.org', dns: ['other.example.org'], issuer: inter });
    const svc = service();
    verdict([other, inter], NOW, svc);
    const v = verdict([leaf], NOW, svc);
    expect(v.errors).toEqual(['missing-intermediate']);
    expect(v.openssl).toEqual({ code: 20, depth: 0 });
    const svc2 = service();
    const first = verdict([leaf], NOW, svc2);
    expect(first.errors).toEqual(['unknown-issuer']);
    verdict([other, inter], NOW, svc2);
    expect(svc2.recheck(first).errors).toEqual(['missing-intermediate']);
  });

  it('an untrusted root sent: self-signed certificate in chain (unknown issuer)', async () => {
    const other = await issue({ name: 'Other Root', ca: true });
    const l = await issue({ name: 'u.example.org', dns: ['u.example.org'], issuer: other });
    const v = verdict([l, other]);
    expect(v.errors).toEqual(['unknown-issuer']);
    expect(v.openssl).toEqual({ code: 19, depth: 1 });
  });

  it('hostile input: every truncation and a thousand random byte flips of a leaf never throw', () => {
    const svc = service();
    for (let n = 0; n < leaf.der.length; n++) {
      const v = svc.verdict([leaf.der.subarray(0, n).toString('base64'), inter.b64], NOW);
      expect(v.errors).toContain('malformed-certificate');
      expect(v.openssl.code).toBe(-1);
    }
    let seed = 4242;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 1000; i++) {
      const der = Buffer.from(leaf.der);
      for (let k = 0; k < 3; k++) der[Math.floor(rnd() * der.length)] = Math.floor(rnd() * 256);
      const v = svc.verdict([der.toString('base64'), inter.b64], NOW);
      expect(Array.isArray(v.errors)).toBe(true);
    }
  });
});

describe('subject CNs OpenSSL treats as host names (cn2dnsid)', () => {
  it('two or more labels of letters, digits, "_" and inner "-"; one pass over a hostile CN', () => {
    expect(cnAsDnsName('mail.example.com')).toBe('mail.example.com');
    expect(cnAsDnsName('_srv.example-1.org')).toBe('_srv.example-1.org');
    expect(cnAsDnsName('localhost.\0\0'.slice(0, -2) + 'x\0')).toBe('localhost.x');
    for (const no of ['localhost', 'a-.b', 'a.-b', 'a..b', '.a.b', 'a.b.', 'a b.c', 'Ünï.code', 'a.b\0c']) expect(cnAsDnsName(no), no).toBeUndefined();
    // A quadratic matcher would not finish this; the loop is linear.
    expect(cnAsDnsName(`${'a'.repeat(400_000)}-`)).toBeUndefined();
    expect(cnAsDnsName(`${'a-'.repeat(200_000)}a.b`)).toBe(`${'a-'.repeat(200_000)}a.b`);
  });
});

describe('the webpki profile', () => {
  it('adds weak digests and over-long leaves to the strict rules', async () => {
    const rsaCa = await issue({ name: 'RSA Intermediate 2', ca: true, issuer: root, rsaBits: 2048 });
    const l = await issue({ name: 'h2.example.org', dns: ['h2.example.org'], issuer: rsaCa });
    expect(verdict([await resign(l, rsaCa, 'sha1'), rsaCa], NOW, service('webpki')).errors).toEqual(['weak-signature']);
    expect(verdict([await resign(l, rsaCa, 'sha1'), rsaCa], NOW, service('strict')).errors).toEqual([]);
    const long = await issue({ name: 'l.example.org', dns: ['l.example.org'], issuer: inter, notAfter: new Date(NOW + 3 * 365 * DAY) });
    expect(verdict([long, inter], NOW, service('webpki')).errors).toEqual(['validity-too-long']);
    expect(verdict([long, inter], NOW, service('webpki')).openssl).toEqual({ code: 0, depth: 0 });
  });
});
