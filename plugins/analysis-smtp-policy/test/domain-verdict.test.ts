import { describe, expect, it } from 'vitest';
import { domainVerdict, type DomainFacts, type Endpoint } from '../src/verdict/domain-verdict.js';

// Declarative: each case states the facts a sender would see and the outcome RFC 7672 / RFC 8461 give.
const tlsaRec = { usage: 3, selector: 1, matchingType: 1, data: new Uint8Array(32) };
const ok: Endpoint = { host: 'mx.d.test', answered: true, tls: true, chainValid: true, nameMatches: true };
const facts = (over: Partial<DomainFacts> = {}): DomainFacts => ({
  mxStatus: 'insecure',
  mxNames: ['mx.d.test', 'mx2.d.test'],
  hosts: new Map([['mx.d.test', { tlsaStatus: 'insecure', tlsa: [] }]]),
  endpoints: [ok],
  stsTxt: 'absent',
  tlsRpt: 'absent',
  ...over,
});
const secureTlsa = new Map([['mx.d.test', { tlsaStatus: 'secure' as const, tlsa: [tlsaRec] }]]);
const enforce = (mx: string[]) => ({ ok: true as const, policy: { mode: 'enforce' as const, maxAge: 86400, mx } });

describe('domain verdicts', () => {
  it.each<[string, DomainFacts, string, string[]]>([
    ['DANE matching', facts({ mxStatus: 'secure', hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'match', record: tlsaRec } }] }), 'dane', []],
    ['DANE matching with an invalid WebPKI chain', facts({ mxStatus: 'secure', hosts: secureTlsa, endpoints: [{ ...ok, chainValid: false, tlsa: { kind: 'match', record: tlsaRec } }] }), 'dane', []],
    ['TLSA not matching', facts({ mxStatus: 'secure', hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'mismatch', why: 'x' } }] }), 'policy-broken', ['tlsa-mismatch']],
    ['DANE host without STARTTLS', facts({ mxStatus: 'secure', hosts: secureTlsa, endpoints: [{ ...ok, tls: false, tlsa: { kind: 'mismatch', why: 'no certificate' } }] }), 'policy-broken', ['dane-without-starttls']],
    ['TLSA under an insecure MX answer is ignored', facts({ mxStatus: 'insecure', hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'mismatch', why: 'x' } }] }), 'opportunistic', []],
    ['TLSA of a host the secure MX answer does not name is ignored', facts({ mxStatus: 'secure', mxNames: ['other.d.test'], hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'mismatch', why: 'x' } }] }), 'opportunistic', []],
    ['no MX records: the domain is its own MX, DANE applies', facts({ mxStatus: 'secure', mxNames: [], hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'match', record: tlsaRec } }] }), 'dane', []],
    ['TLSA in an unsigned zone is ignored', facts({ hosts: new Map([['mx.d.test', { tlsaStatus: 'insecure', tlsa: [tlsaRec] }]]) }), 'opportunistic', []],
    ['only unusable TLSA records: no DANE', facts({ mxStatus: 'secure', hosts: secureTlsa, endpoints: [{ ...ok, tlsa: { kind: 'unusable' } }] }), 'opportunistic', []],
    ['bogus TLSA', facts({ mxStatus: 'secure', hosts: new Map([['mx.d.test', { tlsaStatus: 'bogus', tlsa: [] }]]) }), 'policy-broken', ['dnssec-bogus']],
    ['bogus MX', facts({ mxStatus: 'bogus' }), 'policy-broken', ['dnssec-bogus']],
    ['MTA-STS enforce matching', facts({ stsTxt: 'valid', policy: enforce(['mx.d.test']) }), 'mta-sts-enforce', []],
    ['MTA-STS enforce by wildcard', facts({ stsTxt: 'valid', policy: enforce(['*.d.test']) }), 'mta-sts-enforce', []],
    ['enforce, MX outside the patterns', facts({ stsTxt: 'valid', policy: enforce(['other.d.test']) }), 'policy-broken', ['mx-not-covered']],
    ['enforce, invalid chain', facts({ stsTxt: 'valid', policy: enforce(['mx.d.test']), endpoints: [{ ...ok, chainValid: false }] }), 'policy-broken', ['certificate-invalid-under-enforce']],
    ['enforce, name mismatch', facts({ stsTxt: 'valid', policy: enforce(['mx.d.test']), endpoints: [{ ...ok, nameMatches: false }] }), 'policy-broken', ['certificate-invalid-under-enforce']],
    ['enforce, no STARTTLS', facts({ stsTxt: 'valid', policy: enforce(['mx.d.test']), endpoints: [{ ...ok, tls: false, chainValid: false, nameMatches: false }] }), 'policy-broken', ['enforce-without-starttls']],
    ['DANE takes precedence over a failing MTA-STS policy', facts({ mxStatus: 'secure', hosts: secureTlsa, stsTxt: 'valid', policy: enforce(['other.d.test']), endpoints: [{ ...ok, tlsa: { kind: 'match', record: tlsaRec } }] }), 'dane', []],
    ['testing mode', facts({ stsTxt: 'valid', policy: { ok: true, policy: { mode: 'testing', maxAge: 1, mx: ['other.d.test'] } } }), 'mta-sts-testing', []],
    ['mode none', facts({ stsTxt: 'valid', policy: { ok: true, policy: { mode: 'none', maxAge: 1, mx: [] } } }), 'opportunistic', []],
    ['policy host redirects', facts({ stsTxt: 'valid', policy: { ok: false, fetch: 'redirect' } }), 'opportunistic', ['policy-fetch-redirect']],
    ['policy too large', facts({ stsTxt: 'valid', policy: { ok: false, fetch: 'too-large' } }), 'opportunistic', ['policy-fetch-too-large']],
    ['malformed policy', facts({ stsTxt: 'valid', policy: { ok: false, invalid: 'no mx' } }), 'opportunistic', ['policy-invalid']],
    ['malformed TXT records', facts({ stsTxt: 'invalid', tlsRpt: 'invalid' }), 'opportunistic', ['sts-txt-invalid', 'tlsrpt-invalid']],
    ['no policy, invalid chain', facts({ endpoints: [{ ...ok, chainValid: false }] }), 'opportunistic', []],
    ['no STARTTLS', facts({ endpoints: [{ ...ok, tls: false, chainValid: false, nameMatches: false }] }), 'no-starttls', []],
    ['no MX host answered', facts({ endpoints: [{ ...ok, answered: false, tls: false }] }), 'unreachable', []],
    ['a resolver failure on TLSA is said', facts({ hosts: new Map([['mx.d.test', { tlsaStatus: 'error', tlsa: [] }]]) }), 'opportunistic', ['dns-error']],
  ])('%s', (_name, f, verdict, causes) => {
    const v = domainVerdict(f);
    expect({ verdict: v.verdict, causes: v.causes }).toEqual({ verdict, causes });
  });

  it('one MX host under DANE and one under enforce: protected by MTA-STS enforce; a failing second MX breaks it', () => {
    const hosts = new Map([['mx.d.test', { tlsaStatus: 'secure' as const, tlsa: [tlsaRec] }], ['mx2.d.test', { tlsaStatus: 'secure' as const, tlsa: [] }]]);
    const endpoints: Endpoint[] = [{ ...ok, tlsa: { kind: 'match', record: tlsaRec } }, { ...ok, host: 'mx2.d.test' }];
    expect(domainVerdict(facts({ mxStatus: 'secure', hosts, endpoints, stsTxt: 'valid', policy: enforce(['*.d.test']) })).verdict).toBe('mta-sts-enforce');
    expect(domainVerdict(facts({ mxStatus: 'secure', hosts, endpoints, stsTxt: 'valid', policy: enforce(['mx.d.test']) }))).toMatchObject({ verdict: 'policy-broken', causes: ['mx-not-covered'] });
    expect(domainVerdict(facts({ mxStatus: 'secure', hosts, endpoints })).verdict).toBe('opportunistic');
  });

  it('validChains: every answering endpoint completed STARTTLS with a valid chain naming its host', () => {
    expect(domainVerdict(facts()).validChains).toBe(true);
    expect(domainVerdict(facts({ endpoints: [ok, { ...ok, nameMatches: false }] })).validChains).toBe(false);
    expect(domainVerdict(facts({ endpoints: [ok, { ...ok, answered: false, tls: false }] })).validChains).toBe(true);
  });
});
