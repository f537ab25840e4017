import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, cipherSuiteById, whyNotCompletable } from '../../src/tls/cipher-suites.js';

/**
 * The suite table against two independent tables on this machine: OpenSSL 3's
 * (`openssl ciphers -V -stdname`, IANA names, Kx/Enc/Mac; with the legacy
 * provider for SEED and IDEA) and GnuTLS's (`gnutls-cli --list`, which still has
 * RC4 and 3DES). Static DH/ECDH suites are in neither; they are checked against
 * what their IANA names say.
 */
const ENC: Record<string, string> = {
  'AESGCM(128)': 'aes-128-gcm', 'AESGCM(256)': 'aes-256-gcm', 'AES(128)': 'aes-128-cbc', 'AES(256)': 'aes-256-cbc',
  'Camellia(128)': 'camellia-128-cbc', 'Camellia(256)': 'camellia-256-cbc', '3DES(168)': 'des-ede3-cbc', 'DES(56)': 'des-cbc',
  'CHACHA20/POLY1305(256)': 'chacha20-poly1305', 'SEED(128)': 'seed-cbc', 'IDEA(128)': 'idea-cbc', 'RC4(128)': 'rc4',
  'AESCCM(128)': 'aes-128-ccm', 'AESCCM8(128)': 'aes-128-ccm', None: 'null',
};
const MAC: Record<string, string> = { AEAD: 'aead', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', MD5: 'md5' };

function opensslTable(): Map<number, { name: string; kx: string; au: string; enc: string; mac: string; tls13: boolean }> {
  const out = execFileSync('openssl', ['ciphers', '-provider', 'legacy', '-provider', 'default', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']).toString();
  const rows = new Map();
  for (const line of out.split('\n')) {
    const m = /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- \S+\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)/.exec(line);
    if (m) rows.set(parseInt(m[1]! + m[2]!, 16), { name: m[3]!, tls13: m[4] === 'TLSv1.3', kx: m[5]!, au: m[6]!, enc: m[7]!, mac: m[8]! });
  }
  return rows;
}

function gnutlsTable(): Map<number, string> {
  const prio = 'NORMAL:+ARCFOUR-128:+3DES-CBC:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC:+SHA256:+SHA384:+MD5:+DHE-DSS:+VERS-TLS1.0:+VERS-TLS1.1';
  const out = execFileSync('gnutls-cli', ['--list', '--priority', prio]).toString();
  const rows = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})/.exec(line);
    if (m) rows.set(parseInt(m[2]! + m[3]!, 16), m[1]!);
  }
  return rows;
}

const real = CIPHER_SUITES.filter((s) => s.cipher !== 'scsv');

describe('cipher-suite table', () => {
  it('has no duplicate ids or names', () => {
    expect(new Set(CIPHER_SUITES.map((s) => s.id)).size).toBe(CIPHER_SUITES.length);
    expect(new Set(CIPHER_SUITES.map((s) => s.name)).size).toBe(CIPHER_SUITES.length);
  });

  it("agrees with OpenSSL's table on id, IANA name, key exchange, cipher and MAC", () => {
    const ossl = opensslTable();
    expect(ossl.size).toBeGreaterThan(100);
    let checked = 0;
    for (const s of real) {
      const o = ossl.get(s.id);
      if (!o) continue;
      checked++;
      expect(o.name, s.name).toBe(s.name);
      expect(ENC[o.enc], s.name).toBe(s.cipher);
      expect(o.tls13 ? 'aead' : MAC[o.mac], s.name).toBe(s.mac);
      const kex = o.tls13 ? 'TLS13' : o.kx === 'ECDH' ? 'ECDHE' : o.kx === 'DH' ? 'DHE' : o.kx;
      expect(kex, s.name).toBe(s.kex);
      if (o.au === 'None') expect(s.name).toMatch(/_anon_/);
    }
    expect(checked).toBeGreaterThanOrEqual(60);
  });

  it("agrees with GnuTLS's table on the suites OpenSSL 3 dropped (RC4) and on 3DES", () => {
    const gnu = gnutlsTable();
    const token: Record<string, string> = { rc4: 'ARCFOUR_128', 'des-ede3-cbc': '3DES_EDE_CBC' };
    let checked = 0;
    for (const s of real.filter((x) => token[x.cipher])) {
      const g = gnu.get(s.id);
      if (!g) continue;
      checked++;
      const kx = s.kex === 'RSA' ? 'RSA' : s.name.replace(/^TLS_/, '').split('_WITH_')[0];
      expect(g, s.name).toBe(`TLS_${kx}_${token[s.cipher]}_${s.mac === 'md5' ? 'MD5' : 'SHA1'}`);
    }
    for (const id of [0x0004, 0x0005, 0xc007, 0xc011]) expect(gnu.has(id), `0x${id.toString(16)}`).toBe(true);
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('static DH and ECDH suites (in neither library) are key exchange "other" and say what their names say', () => {
    const statics = real.filter((s) => /^TLS_(DH|ECDH)_(RSA|DSS|ECDSA)_WITH_/.test(s.name));
    expect(statics.length).toBeGreaterThanOrEqual(30);
    for (const s of statics) {
      expect(s.kex, s.name).toBe('other');
      const bulk = s.name.split('_WITH_')[1]!;
      const cipher = bulk.startsWith('AES_128_GCM') ? 'aes-128-gcm' : bulk.startsWith('AES_256_GCM') ? 'aes-256-gcm' : bulk.startsWith('AES_128_CBC') ? 'aes-128-cbc'
        : bulk.startsWith('AES_256_CBC') ? 'aes-256-cbc' : bulk.startsWith('CAMELLIA_128') ? 'camellia-128-cbc' : bulk.startsWith('CAMELLIA_256') ? 'camellia-256-cbc'
        : bulk.startsWith('SEED') ? 'seed-cbc' : bulk.startsWith('3DES') ? 'des-ede3-cbc' : bulk.startsWith('DES_CBC') ? 'des-cbc' : bulk.startsWith('RC4_128') ? 'rc4' : '?';
      expect(s.cipher, s.name).toBe(cipher);
    }
  });

  it('uses the SHA-384 PRF exactly for the suites named _SHA384 (RFC 5288, 5289, 6367)', () => {
    for (const s of real) expect(s.prf, s.name).toBe(s.name.endsWith('_SHA384') ? 'sha384' : 'sha256');
  });

  it('whyNotCompletable: completes what the engine implements, names what it does not', () => {
    const why = (name: string) => whyNotCompletable(real.find((s) => s.name === name));
    for (const n of ['TLS_RSA_WITH_RC4_128_MD5', 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA']) {
      expect(why(n), n).toBeUndefined();
    }
    expect(why('TLS_ECDH_RSA_WITH_AES_128_CBC_SHA')).toMatch(/static DH\/ECDH/);
    expect(why('TLS_DH_anon_WITH_AES_128_CBC_SHA')).toMatch(/anonymous/);
    expect(why('TLS_RSA_EXPORT_WITH_RC4_40_MD5')).toMatch(/export/);
    expect(why('TLS_RSA_WITH_NULL_SHA')).toMatch(/NULL/);
    // This process runs without the legacy provider (vitest's node): SEED and IDEA say what they need.
    expect(why('TLS_RSA_WITH_SEED_CBC_SHA')).toMatch(/SEED-CBC needs OpenSSL's legacy provider/);
    expect(why('TLS_RSA_WITH_IDEA_CBC_SHA')).toMatch(/IDEA-CBC needs OpenSSL's legacy provider/);
    expect(whyNotCompletable(cipherSuiteById(0x1234))).toBe('unknown cipher suite');
  });
});
