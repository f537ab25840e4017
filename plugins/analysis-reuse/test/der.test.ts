import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateChain, selfSignedCertificate } from '@wildtls/core/testing';
import { certificateParts, nameAttributes } from '../src/der.js';

describe('certificateParts', () => {
  it('finds the same SPKI, names and validity as node', async () => {
    const chain = await certificateChain({ keyType: 'ec', leafName: 'mail.example.org' });
    for (const der of [chain.leaf.der, chain.intermediate.der, chain.root.der]) {
      const x = new X509Certificate(der);
      const p = certificateParts(der);
      expect(Buffer.from(p.spki)).toEqual(x.publicKey.export({ type: 'spki', format: 'der' }));
      expect(p.notBefore).toBe(Date.parse(x.validFrom));
      expect(p.notAfter).toBe(Date.parse(x.validTo));
      expect(x.verify(x.publicKey)).toBe(Buffer.compare(p.issuer, p.subject) === 0 && x.checkIssued(x));
    }
    expect(nameAttributes(certificateParts(chain.intermediate.der).subject)).toEqual({ cn: 'wildtls test intermediate', o: 'wildtls tests' });
    expect(nameAttributes(certificateParts(chain.leaf.der).subject)).toEqual({ cn: 'mail.example.org' });
  });

  it('rejects every truncation and corruption with a RangeError, never anything else', async () => {
    const { der } = await selfSignedCertificate({ keyType: 'ec' });
    for (let n = 0; n < der.length; n++) {
      expect(() => certificateParts(der.subarray(0, n))).toThrow(RangeError);
    }
    for (let i = 0; i < der.length; i += 3) {
      const bad = Buffer.from(der);
      bad[i] ^= 0xff;
      try {
        certificateParts(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
      expect(() => nameAttributes(bad)).not.toThrow();
    }
  });
});
