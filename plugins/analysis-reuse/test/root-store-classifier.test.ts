import { describe, expect, it } from 'vitest';
import { certificateChain, selfSignedCertificate } from '@wildtls/core/testing';
import { RootStoreClassifier } from '../src/chain-classifier.js';

const now = new Date();

describe('RootStoreClassifier (fallback validation)', () => {
  it('validates a chain to a configured anchor, RSA and EC, in any order', async () => {
    for (const keyType of ['ec', 'rsa'] as const) {
      const c = await certificateChain({ keyType });
      const store = new RootStoreClassifier([c.root.certPem]);
      expect(store.classify([c.leaf.der, c.intermediate.der], now)).toBe('valid');
      expect(store.classify([c.leaf.der, c.root.der, c.intermediate.der], now)).toBe('valid');
      // Missing intermediate, or no anchor at all.
      expect(store.classify([c.leaf.der], now)).toBe('invalid');
      expect(new RootStoreClassifier([]).classify([c.leaf.der, c.intermediate.der], now)).toBe('invalid');
    }
  });

  it('checks validity periods at the given time', async () => {
    const c = await certificateChain({ keyType: 'ec' });
    const store = new RootStoreClassifier([c.root.certPem]);
    expect(store.classify([c.leaf.der, c.intermediate.der], new Date(Date.now() + 400 * 86400_000))).toBe('invalid');
    expect(store.classify([c.leaf.der, c.intermediate.der], new Date(Date.now() - 86400_000))).toBe('invalid');
  });

  it('tells self-signed from other invalid chains', async () => {
    const self = await selfSignedCertificate({ keyType: 'ec' });
    const store = new RootStoreClassifier([]);
    expect(store.classify([self.der], now)).toBe('self-signed');
    // Same names, broken self-signature (last byte of the ECDSA s value flipped).
    const forged = Buffer.from(self.der);
    forged[forged.length - 1] ^= 0x01;
    expect(store.classify([forged], now)).toBe('invalid');
    expect(store.classify([Buffer.from('not a certificate')], now)).toBe('invalid');
    expect(store.classify([], now)).toBe('invalid');
  });

  it('loads Node\'s bundled Mozilla store by default', () => {
    expect(new RootStoreClassifier().anchorCount).toBeGreaterThan(100);
  });
});
