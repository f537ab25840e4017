import { describe, expect, it } from 'vitest';
import { cipherSuiteById, cipherSuiteId, type CipherSuite } from '@wildtls/core';
import { BULK_FAMILIES, KEY_EXCHANGE_FAMILIES, classifySuite, weaknessesOf } from '../src/suite-class.js';

const suite = (name: string) => ({ id: cipherSuiteId(name) ?? 0, name });
const TABLE: CipherSuite[] = [];
for (let id = 0; id <= 0xffff; id++) {
  const s = cipherSuiteById(id);
  if (s) TABLE.push(s);
}

describe('classifySuite: key exchange and bulk cipher kept apart (Fig. 3)', () => {
  // [suite as the raw engine records it, key exchange, bulk, forward secrecy]
  it.each([
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'AES-GCM', true],
    ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE', 'AES-CBC', true],
    ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE', 'ChaCha20', true],
    ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE', 'RC4', true],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE', '3DES', true],
    ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE', 'AES-GCM', true],
    ['TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE', 'Camellia', true],
    ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'DHE', 'export', true],
    ['TLS_DHE_RSA_WITH_SEED_CBC_SHA', 'DHE', 'other', true],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 'AES-GCM', false],
    ['TLS_RSA_WITH_AES_256_CBC_SHA', 'RSA', 'AES-CBC', false],
    ['TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'RSA', 'Camellia', false],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'RSA', '3DES', false],
    ['TLS_RSA_WITH_RC4_128_MD5', 'RSA', 'RC4', false],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'RSA', 'export', false],
    ['TLS_RSA_WITH_NULL_SHA256', 'RSA', 'NULL', false],
    ['TLS_RSA_WITH_SEED_CBC_SHA', 'RSA', 'other', false],
    ['TLS_RSA_WITH_IDEA_CBC_SHA', 'RSA', 'other', false],
    ['TLS_RSA_WITH_DES_CBC_SHA', 'RSA', 'other', false],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'other', 'AES-CBC', false],
    ['TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'other', 'AES-CBC', false],
    ['TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'other', 'AES-CBC', false],
    ['TLS_DH_RSA_WITH_AES_256_GCM_SHA384', 'other', 'AES-GCM', false],
  ] as const)('%s: %s + %s, forward secrecy %s', (name, kx, bulk, fs) => {
    expect(classifySuite({ cipherSuite: suite(name) })).toMatchObject({ kx, bulk, forwardSecrecy: fs });
  });

  it('TLS 1.3: ECDHE unless the group is ffdhe*', () => {
    const tls13 = { cipherSuite: suite('TLS_AES_128_GCM_SHA256'), version: 'TLSv1.3' as const };
    expect(classifySuite({ ...tls13, keyExchange: { kind: 'TLS13', group: 'x25519' } })).toMatchObject({ kx: 'ECDHE', bulk: 'AES-GCM', forwardSecrecy: true });
    expect(classifySuite({ ...tls13, keyExchange: { kind: 'TLS13', group: 'ffdhe2048' } })).toMatchObject({ kx: 'DHE', forwardSecrecy: true });
    expect(classifySuite({ cipherSuite: suite('TLS_CHACHA20_POLY1305_SHA256') })).toMatchObject({ kx: 'ECDHE', bulk: 'ChaCha20' });
    expect(classifySuite({ cipherSuite: suite('TLS_AES_128_CCM_SHA256') })).toMatchObject({ kx: 'ECDHE', bulk: 'other' });
  });

  it('a suite the table does not know: read from its name (IANA or OpenSSL), then the key exchange recorded', () => {
    expect(classifySuite({ cipherSuite: { id: 0, name: 'ECDHE-RSA-AES128-GCM-SHA256' } })).toMatchObject({ kx: 'ECDHE', bulk: 'AES-GCM' });
    expect(classifySuite({ cipherSuite: { id: 0, name: 'EDH-RSA-DES-CBC3-SHA' } })).toMatchObject({ kx: 'DHE', bulk: '3DES' });
    expect(classifySuite({ cipherSuite: { id: 0, name: 'AES128-SHA' } })).toMatchObject({ kx: 'RSA', bulk: 'AES-CBC', forwardSecrecy: false });
    expect(classifySuite({ cipherSuite: { id: 0, name: 'EXP-RC4-MD5' } })).toMatchObject({ kx: 'RSA', bulk: 'export' });
    expect(classifySuite({ cipherSuite: { id: 0, name: 'ADH-AES256-SHA' } })).toMatchObject({ kx: 'other', bulk: 'AES-CBC', anonymous: true });
    expect(classifySuite({ cipherSuite: { id: 0xfefe, name: '0xfefe' }, keyExchange: { kind: 'DHE', bits: 1024 } })).toMatchObject({ kx: 'DHE', bulk: 'other' });
    expect(classifySuite({})).toMatchObject({ kx: 'other', bulk: 'other', forwardSecrecy: false });
  });

  it('every suite of the engine\'s table lands in a listed family; the key exchange is the table\'s (anonymous ones are "other")', () => {
    for (const s of TABLE) {
      const c = classifySuite({ cipherSuite: { id: s.id, name: s.name } });
      expect(KEY_EXCHANGE_FAMILIES, s.name).toContain(c.kx);
      expect(BULK_FAMILIES, s.name).toContain(c.bulk);
      const want = s.name.includes('_anon_') ? 'other' : s.kex === 'TLS13' ? 'ECDHE' : s.kex;
      expect(c.kx, s.name).toBe(want);
      expect(c.forwardSecrecy, s.name).toBe(want === 'ECDHE' || want === 'DHE');
    }
    expect(TABLE.length).toBeGreaterThan(60);
  });
});

describe('weaknessesOf: each weakness in its own row, overlapping', () => {
  it.each([
    [{ version: 'SSLv3' as const, cipherSuite: suite('TLS_RSA_WITH_RC4_128_MD5') }, ['SSLv3', 'RC4']],
    [{ version: 'SSLv2' as const }, ['SSLv2']],
    [{ version: 'TLSv1.0' as const, cipherSuite: suite('TLS_RSA_EXPORT_WITH_RC4_40_MD5') }, ['export']],
    [{ version: 'TLSv1.0' as const, cipherSuite: suite('TLS_RSA_WITH_DES_CBC_SHA') }, ['DES']],
    [{ version: 'TLSv1.0' as const, cipherSuite: { id: 0, name: 'EDH-RSA-DES-CBC-SHA' } }, ['DES']],
    [{ version: 'TLSv1.2' as const, cipherSuite: suite('TLS_RSA_WITH_NULL_SHA') }, ['NULL']],
    [{ version: 'TLSv1.2' as const, cipherSuite: suite('TLS_DH_anon_WITH_RC4_128_MD5') }, ['anonymous', 'RC4']],
    [{ version: 'TLSv1.2' as const, cipherSuite: suite('TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA') }, ['3DES']],
    [{ version: 'TLSv1.2' as const, cipherSuite: suite('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256') }, []],
  ])('%o -> %o', (tls, want) => {
    expect(weaknessesOf(tls)).toEqual(want);
  });
});
