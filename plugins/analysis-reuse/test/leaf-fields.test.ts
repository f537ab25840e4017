import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { der } from '@wildtls/core';
import { certificateChain, selfSignedCertificate } from '@wildtls/core/testing';
import { leafFields } from '../src/leaf-fields.js';

describe('leafFields (core\'s strict DER reader)', () => {
  it('finds the same SPKI as node and the subject CN and O', async () => {
    for (const keyType of ['ec', 'rsa'] as const) {
      const chain = await certificateChain({ keyType, leafName: 'mail.example.org' });
      for (const d of [chain.leaf.der, chain.intermediate.der, chain.root.der]) {
        const x = new X509Certificate(d);
        expect(Buffer.from(leafFields(d).spki)).toEqual(x.publicKey.export({ type: 'spki', format: 'der' }));
      }
      expect(leafFields(chain.intermediate.der)).toMatchObject({ cn: 'wildtls test intermediate', o: 'wildtls tests' });
      const leaf = leafFields(chain.leaf.der);
      expect([leaf.cn, leaf.o]).toEqual(['mail.example.org', undefined]);
    }
  });

  it('refuses a non-minimal length, which BER allows and DER does not', async () => {
    const { der: d } = await selfSignedCertificate({ keyType: 'ec' });
    // The outer SEQUENCE's length in one more byte than needed (0x82 xx xx becomes 0x83 00 xx xx).
    const n = d[1]! & 0x7f;
    const ber = Buffer.concat([Buffer.from([0x30, 0x80 | (n + 1), 0]), d.subarray(2)]);
    expect(() => leafFields(ber)).toThrow(/non-minimal length/);
    expect(() => leafFields(Buffer.concat([d, Buffer.from([0])]))).toThrow(/trailing data/);
  });

  it('rejects every truncation and corruption with DerError, never anything else', async () => {
    const { der: d } = await selfSignedCertificate({ keyType: 'ec' });
    for (let n = 0; n < d.length; n++) expect(() => leafFields(d.subarray(0, n))).toThrow(der.DerError);
    for (let i = 0; i < d.length; i++) {
      const bad = Buffer.from(d);
      bad[i] ^= 0xff;
      try {
        leafFields(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(der.DerError);
      }
    }
  });
});
