import { describe, expect, it } from 'vitest';
import { cipherCategory } from '../src/cipher-category.js';

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
