import { describe, expect, it } from 'vitest';
import { cipherSuiteById, cipherSuiteId } from '@wildtls/core';
import { CIPHER_CATEGORIES, cipherCategory } from '../src/cipher-category.js';

describe('cipherCategory', () => {
  it.each([
    [{ cipherSuite: { id: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' } }, 'ECDHE'],
    [{ cipherSuite: { id: 0, name: 'ECDHE-RSA-AES128-GCM-SHA256' } }, 'ECDHE'],
    [{ cipherSuite: { id: 0, name: 'DHE-RSA-AES256-SHA' } }, 'DHE'],
    [{ cipherSuite: { id: 0, name: 'EDH-RSA-DES-CBC3-SHA' } }, '3DES'],
    [{ cipherSuite: { id: 0, name: 'AES128-SHA' } }, 'AES (no FS)'],
    [{ cipherSuite: { id: 0, name: 'TLS_RSA_WITH_AES_256_CBC_SHA' } }, 'AES (no FS)'],
    [{ cipherSuite: { id: 0, name: 'RC4-MD5' } }, 'RC4'],
    [{ cipherSuite: { id: 0, name: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA' }, keyExchange: { kind: 'ECDHE' as const } }, 'RC4'],
    [{ cipherSuite: { id: 0, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA' } }, 'other'],
    [{ cipherSuite: { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256' }, version: 'TLSv1.3' as const, keyExchange: { kind: 'TLS13' as const, group: 'x25519' } }, 'ECDHE'],
    [{ cipherSuite: { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256' }, keyExchange: { kind: 'TLS13' as const, group: 'ffdhe2048' } }, 'DHE'],
    [{ keyExchange: { kind: 'DHE' as const, bits: 1024 } }, 'DHE'],
    [{}, 'other'],
  ])('%o → %s', (tls, expected) => {
    expect(cipherCategory(tls)).toBe(expected);
  });
});

describe('cipherCategory on every suite the engine knows', () => {
  // As the raw engine records them: the IANA name and the key exchange it saw.
  it.each([
    ['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'RSA', 'other'],
    ['TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE', 'DHE'],
    ['TLS_RSA_WITH_SEED_CBC_SHA', 'RSA', 'other'],
    ['TLS_RSA_WITH_IDEA_CBC_SHA', 'RSA', 'other'],
    ['TLS_RSA_WITH_DES_CBC_SHA', 'RSA', 'other'],
    ['TLS_RSA_WITH_RC4_128_MD5', 'RSA', 'RC4'],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'RSA', 'RC4'],
    ['TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'RSA', 'other'],
    ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'DHE', 'DHE'],
    ['TLS_RSA_WITH_NULL_SHA256', 'RSA', 'other'],
    ['TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE', '3DES'],
    ['TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'other', 'other'],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 'AES (no FS)'],
  ] as const)('%s (key exchange %s) → %s', (name, kind, expected) => {
    expect(cipherCategory({ cipherSuite: { id: cipherSuiteId(name)!, name }, keyExchange: { kind } })).toBe(expected);
  });

  it('no suite of the engine\'s table falls outside the listed categories, with or without a key exchange recorded', () => {
    let known = 0;
    for (let id = 0; id <= 0xffff; id++) {
      const s = cipherSuiteById(id);
      if (!s) continue;
      known++;
      const kind = s.kex === 'TLS13' ? 'TLS13' : s.kex;
      expect(CIPHER_CATEGORIES, s.name).toContain(cipherCategory({ cipherSuite: { id, name: s.name }, keyExchange: { kind } }));
      expect(CIPHER_CATEGORIES, s.name).toContain(cipherCategory({ cipherSuite: { id, name: s.name } }));
    }
    expect(known).toBeGreaterThan(60);
  });
});
