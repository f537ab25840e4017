import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateChain, type TestChain, type TestCertificate } from '@wildtls/core/testing';
import { matchTlsa, type Tlsa } from '../src/dane/tlsa-match.js';

// The association data comes from the openssl command line (what `tlsa` generators
// such as `ldns-dane` and hand-written zone files use), not from the code under test.
function openssl(args: string[], input: Buffer | string): Buffer {
  return execFileSync('openssl', args, { input });
}
function spki(c: TestCertificate): Buffer {
  const pub = openssl(['x509', '-noout', '-pubkey'], c.certPem);
  return openssl(['pkey', '-pubin', '-outform', 'DER'], pub);
}
function digest(alg: 'sha256' | 'sha512', data: Buffer): Buffer {
  return openssl(['dgst', `-${alg}`, '-binary'], data);
}
const rec = (usage: number, selector: number, matchingType: number, data: Buffer): Tlsa => ({ usage, selector, matchingType, data });

let a: TestChain;
let b: TestChain;
const MX = 'mx1.dane.test';

beforeAll(async () => {
  a = await certificateChain({ leafName: MX });
  b = await certificateChain({ leafName: MX, keyType: 'ec' });
});

const sent = (c: TestChain) => [c.leaf.der, c.intermediate.der];

describe('TLSA matching against a recorded chain (RFC 6698, RFC 7672)', () => {
  it('DANE-EE (3): the leaf by SPKI or certificate, full or SHA-256 or SHA-512', () => {
    for (const t of [
      rec(3, 1, 1, digest('sha256', spki(a.leaf))),
      rec(3, 0, 1, digest('sha256', a.leaf.der)),
      rec(3, 1, 2, digest('sha512', spki(a.leaf))),
      rec(3, 0, 0, a.leaf.der),
      rec(3, 1, 0, spki(a.leaf)),
    ]) {
      expect(matchTlsa([t], sent(a), [MX]), `${t.usage} ${t.selector} ${t.matchingType}`).toEqual({ kind: 'match', record: t });
    }
  });

  it('DANE-EE ignores names: a leaf for another name still matches', () => {
    expect(matchTlsa([rec(3, 1, 1, digest('sha256', spki(a.leaf)))], sent(a), ['other.test']).kind).toBe('match');
  });

  it('DANE-EE does not match another key, nor an intermediate of the chain', () => {
    expect(matchTlsa([rec(3, 1, 1, digest('sha256', spki(b.leaf)))], sent(a), [MX])).toEqual({ kind: 'mismatch', why: 'no record matched' });
    expect(matchTlsa([rec(3, 0, 1, digest('sha256', a.intermediate.der))], sent(a), [MX]).kind).toBe('mismatch');
  });

  it('DANE-TA (2): a certificate of the chain with a signature path to it, the leaf naming the host', () => {
    const t = rec(2, 0, 1, digest('sha256', a.intermediate.der));
    expect(matchTlsa([t], sent(a), [MX])).toEqual({ kind: 'match', record: t });
    const root = rec(2, 1, 1, digest('sha256', spki(a.root)));
    expect(matchTlsa([root], [a.leaf.der, a.root.der, a.intermediate.der], [MX])).toEqual({ kind: 'match', record: root });
  });

  it('DANE-TA: a root not in the chain does not match (the anchor must be sent)', () => {
    expect(matchTlsa([rec(2, 0, 1, digest('sha256', a.root.der))], sent(a), [MX])).toEqual({ kind: 'mismatch', why: 'no record matched' });
  });

  it('DANE-TA: a certificate that is in the chain but signs nothing on the path does not match', () => {
    const t = rec(2, 0, 1, digest('sha256', b.intermediate.der));
    expect(matchTlsa([t], [a.leaf.der, b.intermediate.der], [MX])).toEqual({ kind: 'mismatch', why: 'trust anchor in the chain but no signature path from the leaf' });
  });

  it('DANE-TA: the leaf must name the MX host or the mail domain', () => {
    const t = rec(2, 0, 1, digest('sha256', a.intermediate.der));
    expect(matchTlsa([t], sent(a), ['mx2.dane.test', 'dane.test'])).toEqual({ kind: 'mismatch', why: 'trust anchor matched but the leaf does not name the MX host' });
  });

  it('one matching record among several is a match; a usable record that fails beside unusable ones is a mismatch', () => {
    const good = rec(3, 1, 1, digest('sha256', spki(a.leaf)));
    expect(matchTlsa([rec(3, 1, 1, Buffer.alloc(32)), good], sent(a), [MX])).toEqual({ kind: 'match', record: good });
    expect(matchTlsa([rec(1, 1, 1, digest('sha256', spki(a.leaf))), rec(3, 1, 1, Buffer.alloc(32))], sent(a), [MX]).kind).toBe('mismatch');
  });

  it('usages 0 and 1, selectors above 1 and matching types above 2 are unusable', () => {
    const h = digest('sha256', spki(a.leaf));
    expect(matchTlsa([rec(0, 1, 1, h), rec(1, 1, 1, h), rec(3, 2, 1, h), rec(3, 1, 3, h), rec(255, 0, 0, h)], sent(a), [MX])).toEqual({ kind: 'unusable' });
    expect(matchTlsa([], sent(a), [MX])).toEqual({ kind: 'unusable' });
  });

  it('no chain or an unparsable certificate is a mismatch, never a throw', () => {
    const t = rec(3, 1, 1, digest('sha256', spki(a.leaf)));
    expect(matchTlsa([t], [], [MX])).toEqual({ kind: 'mismatch', why: 'no certificate' });
    expect(matchTlsa([t], [Buffer.from('not a certificate')], [MX])).toEqual({ kind: 'mismatch', why: 'unparsable certificate' });
  });
});
