/**
 * The study's exclusions of passive connections as declarative rules (core's
 * PassiveExclusions): Tor's link certificates, minted with the openssl CLI the
 * way tortls.c names them, and look-alikes the rule must keep; the ALPN rule;
 * rule validation. Passive records are fixture records (real scans) carrying
 * the minted chains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassiveExclusions, STUDY_PASSIVE_EXCLUSIONS, TOR_LINK_CERTIFICATE_RULE, ALPN_HTTP_PUSH_RULE, type ProbeRecord } from '@wildtls/core';
import { removeDir, tempDir } from '../harness/daemon.js';
import { requireBinaries } from '../harness/require-binary.js';
import { fixtureRecord } from '../synthetic/fixture-library.mjs';
import { mintLinkCertificate, OPENSSL_BIN, torHostname, type MintedPair } from '../passive/tor-certificate.js';

const ready = requireBinaries([{ path: OPENSSL_BIN, pkg: 'openssl' }]);
let dir = '';
const minted: Record<string, MintedPair> = {};

/** Each certificate, declared: how it is named, and whether the Tor rule must leave its connections out. */
const CASES: Array<{ tag: string; subject: () => string; issuer: () => string; tor: boolean }> = [
  { tag: 'tor', subject: () => `/CN=${torHostname('.net')}`, issuer: () => `/CN=${torHostname('.com')}`, tor: true },
  { tag: 'tor-shortest', subject: () => `/CN=${torHostname('.net', 8)}`, issuer: () => `/CN=${torHostname('.com', 20)}`, tor: true },
  { tag: 'tor-pre-v3', subject: () => `/CN=${torHostname('.net')}`, issuer: () => `/CN=${torHostname('.net')}`, tor: true },
  { tag: 'with-org', subject: () => `/O=Example/CN=${torHostname('.net')}`, issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'issuer-with-country', subject: () => `/CN=${torHostname('.net')}`, issuer: () => `/C=DE/CN=${torHostname('.com')}`, tor: false },
  { tag: 'too-short', subject: () => '/CN=www.abcdefg.net', issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'too-long', subject: () => `/CN=www.${'a'.repeat(21)}.net`, issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'not-base32', subject: () => '/CN=www.abcdefgh1.net', issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'upper-case', subject: () => '/CN=www.ABCDEFGHIJ.net', issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'subject-com', subject: () => `/CN=${torHostname('.com')}`, issuer: () => `/CN=${torHostname('.com')}`, tor: false },
  { tag: 'ordinary', subject: () => '/CN=www.example.net', issuer: () => '/C=US/O=Example CA/CN=Example Issuing CA', tor: false },
];

beforeAll(() => {
  if (!ready) return;
  dir = tempDir('tor-certs');
  for (const c of CASES) minted[c.tag] = mintLinkCertificate(dir, c.tag, c.subject(), c.issuer());
}, 120_000);
afterAll(() => {
  if (dir) removeDir(dir);
});

const base = fixtureRecord('sserver-rsa-gcm');
function passive(service: string, port: number, chain: string[], alpn: string[] = []): ProbeRecord {
  return {
    ...structuredClone(base), service, port, source: 'passive',
    tls: { ...structuredClone(base.tls!), chain },
    passive: { client: { ip: 'hmac-sha256:00', port: 40000 }, captureStart: base.startedAt, captureEnd: base.startedAt, midStream: false, endReason: 'fin', clientHello: { version: '0x0303', suites: [], extensions: [], groups: [], signatureAlgorithms: [], supportedVersions: [], alpn } as never },
  } as ProbeRecord;
}

describe.runIf(ready)('passive exclusion rules', () => {
  it('the Tor rule leaves out exactly the certificates named as tortls.c names them', () => {
    const ex = new PassiveExclusions([TOR_LINK_CERTIFICATE_RULE]);
    for (const c of CASES) {
      const m = minted[c.tag]!;
      expect({ tag: c.tag, id: ex.exclude(passive('tls', 9001, [m.der.toString('base64')])) }).toEqual({ tag: c.tag, id: c.tor ? 'tor-link-certificate' : undefined });
    }
    expect(ex.counts()).toEqual([{ id: 'tor-link-certificate', description: TOR_LINK_CERTIFICATE_RULE.description, excluded: CASES.filter((c) => c.tor).length }]);
  });

  it('a connection without a chain (TLS 1.3 hides it) or with garbage is never a Tor connection', () => {
    const ex = new PassiveExclusions([TOR_LINK_CERTIFICATE_RULE]);
    expect(ex.exclude(passive('tls', 443, []))).toBeUndefined();
    expect(ex.exclude(passive('tls', 443, ['%%%']))).toBeUndefined();
    const der = minted.tor!.der;
    expect(ex.exclude(passive('tls', 443, [der.subarray(0, der.length - 1).toString('base64')]))).toBeUndefined();
    // Hostile records: ALPN that is not a list of strings, no ClientHello, a chain that is not a list.
    expect(ex.exclude({ ...passive('smtp', 25, []), passive: { clientHello: { alpn: 'h2' } } } as never)).toBeUndefined();
    expect(new PassiveExclusions().exclude({ ...passive('smtp', 25, []), passive: { clientHello: { alpn: [1, null, {}] } } } as never)).toBeUndefined();
    expect(new PassiveExclusions().exclude({ ...passive('smtp', 25, []), passive: undefined, tls: { chain: 'x' } } as never)).toBeUndefined();
    expect(ex.excluded).toBe(0);
  });

  it('the ALPN rule leaves out HTTP and push ALPN on mail ports, never on https/tls, and the first rule that holds counts', () => {
    const ex = new PassiveExclusions();
    const tor = minted.tor!.der.toString('base64');
    const plain = minted.ordinary!.der.toString('base64');
    expect(ex.exclude(passive('smtp', 25, [plain], ['h2']))).toBe('alpn-http-push');
    expect(ex.exclude(passive('xmpp', 5223, [plain], ['apns-security-v3']))).toBe('alpn-http-push');
    expect(ex.exclude(passive('imap', 143, [plain], ['imap']))).toBeUndefined();
    expect(ex.exclude(passive('https', 443, [plain], ['h2', 'http/1.1']))).toBeUndefined();
    expect(ex.exclude(passive('smtp', 25, [tor], ['http/1.1']))).toBe('alpn-http-push');
    expect(ex.exclude(passive('https', 443, [tor], ['http/1.1']))).toBe('tor-link-certificate');
    expect(ex.counts().map((c) => [c.id, c.excluded])).toEqual([['alpn-http-push', 3], ['tor-link-certificate', 1]]);
    expect(ex.table().rows).toEqual([
      { rule: 'alpn-http-push', description: ALPN_HTTP_PUSH_RULE.description, excluded: 3 },
      { rule: 'tor-link-certificate', description: TOR_LINK_CERTIFICATE_RULE.description, excluded: 1 },
    ]);
    expect(ex.note()).toMatch(/alpn-http-push left out 3; tor-link-certificate left out 1/);
    expect(STUDY_PASSIVE_EXCLUSIONS.map((r) => r.id)).toEqual(['alpn-http-push', 'tor-link-certificate']);
  });

  it('refuses a rule with no condition, a duplicate id and a bad expression, and a user rule works as declared', () => {
    expect(() => new PassiveExclusions([{ id: 'x', description: 'nothing' }])).toThrow(/has no condition/);
    expect(() => new PassiveExclusions([TOR_LINK_CERTIFICATE_RULE, TOR_LINK_CERTIFICATE_RULE])).toThrow(/given twice/);
    expect(() => new PassiveExclusions([{ id: 'bad', description: '', leafSubjectCn: '(' }])).toThrow(/bad/);
    const ex = new PassiveExclusions([{ id: 'example-net', description: 'our own test host', leafSubjectCn: '^www\\.example\\.net$' }]);
    expect(ex.exclude(passive('smtp', 25, [minted.ordinary!.der.toString('base64')]))).toBe('example-net'); // its subject is one CN; the issuer is not looked at
    expect(ex.exclude(passive('smtp', 25, [minted['with-org']!.der.toString('base64')]))).toBeUndefined();
    expect(new PassiveExclusions([]).note()).toBe('Passive exclusions: none applied.');
  });
});
