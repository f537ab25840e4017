import { legacyCipherMissing } from './legacy-ciphers.js';

/**
 * The cipher-suite table: IANA id and name, key exchange, bulk cipher and MAC.
 * `cipher` names the record protection the engine implements (see
 * record-protection.ts); suites whose cipher is not implemented can still be
 * offered and observed, but not completed.
 */
export type KexKind = 'RSA' | 'DHE' | 'ECDHE' | 'TLS13' | 'other';
export type BulkCipher =
  | 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'
  | 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc'
  | 'aes-128-ccm' | 'rc4' | 'camellia-128-cbc' | 'camellia-256-cbc' | 'seed-cbc' | 'idea-cbc' | 'des-cbc'
  | 'export' | 'null' | 'scsv';
export type MacHash = 'sha1' | 'sha256' | 'sha384' | 'md5' | 'aead';

export interface CipherSuite {
  id: number;
  name: string;
  kex: KexKind;
  cipher: BulkCipher;
  mac: MacHash;
  /** PRF / transcript hash (TLS 1.2 and 1.3). */
  prf: 'sha256' | 'sha384';
}

// [id, name, kex, cipher, mac, prf]; prf defaults to sha256 (TLS 1.2; TLS 1.0/1.1 always use MD5+SHA-1).
// Static DH and ECDH (TLS_DH_*, TLS_ECDH_* without E) are kex 'other': offered, never completed.
// Ids and names are the IANA registry's; cipher-suites.test.ts checks them against OpenSSL's and GnuTLS's tables.
const T: [number, string, KexKind, BulkCipher, MacHash, ('sha384')?][] = [
  [0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS13', 'aes-128-gcm', 'aead'],
  [0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS13', 'aes-256-gcm', 'aead', 'sha384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS13', 'chacha20-poly1305', 'aead'],
  [0x1304, 'TLS_AES_128_CCM_SHA256', 'TLS13', 'aes-128-ccm', 'aead'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'TLS13', 'aes-128-ccm', 'aead'],
  // ECDHE
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'aes-128-gcm', 'aead'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'aes-128-gcm', 'aead'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE', 'chacha20-poly1305', 'aead'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE', 'chacha20-poly1305', 'aead'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE', 'aes-256-cbc', 'sha1'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE', 'aes-256-cbc', 'sha1'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE', 'aes-128-cbc', 'sha256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE', 'aes-128-cbc', 'sha256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256', 'ECDHE', 'camellia-128-cbc', 'sha256'],
  [0xc073, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384', 'ECDHE', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'ECDHE', 'camellia-128-cbc', 'sha256'],
  [0xc077, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384', 'ECDHE', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE', 'rc4', 'sha1'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE', 'rc4', 'sha1'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE', 'des-ede3-cbc', 'sha1'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE', 'des-ede3-cbc', 'sha1'],
  // DHE (RSA and DSS)
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE', 'aes-128-gcm', 'aead'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 'DHE', 'aes-128-gcm', 'aead'],
  [0x00a3, 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384', 'DHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE', 'chacha20-poly1305', 'aead'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE', 'aes-128-cbc', 'sha256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE', 'aes-256-cbc', 'sha256'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0040, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256', 'DHE', 'aes-128-cbc', 'sha256'],
  [0x006a, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', 'DHE', 'aes-256-cbc', 'sha256'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'DHE', 'camellia-128-cbc', 'sha1'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE', 'camellia-256-cbc', 'sha1'],
  [0x0044, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA', 'DHE', 'camellia-128-cbc', 'sha1'],
  [0x0087, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA', 'DHE', 'camellia-256-cbc', 'sha1'],
  [0x00be, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'DHE', 'camellia-128-cbc', 'sha256'],
  [0x00c4, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256', 'DHE', 'camellia-256-cbc', 'sha256'],
  [0x00bd, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256', 'DHE', 'camellia-128-cbc', 'sha256'],
  [0x00c3, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256', 'DHE', 'camellia-256-cbc', 'sha256'],
  [0x009a, 'TLS_DHE_RSA_WITH_SEED_CBC_SHA', 'DHE', 'seed-cbc', 'sha1'],
  [0x0099, 'TLS_DHE_DSS_WITH_SEED_CBC_SHA', 'DHE', 'seed-cbc', 'sha1'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE', 'des-ede3-cbc', 'sha1'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', 'DHE', 'des-ede3-cbc', 'sha1'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA', 'DHE', 'des-cbc', 'sha1'],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA', 'DHE', 'des-cbc', 'sha1'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'DHE', 'export', 'sha1'],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA', 'DHE', 'export', 'sha1'],
  // Anonymous (never completed: no server authentication at all)
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5', 'DHE', 'rc4', 'md5'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'ECDHE', 'aes-256-cbc', 'sha1'],
  // Static DH (certificate-bound DH key): key exchange not implemented
  [0x00a4, 'TLS_DH_DSS_WITH_AES_128_GCM_SHA256', 'other', 'aes-128-gcm', 'aead'],
  [0x00a5, 'TLS_DH_DSS_WITH_AES_256_GCM_SHA384', 'other', 'aes-256-gcm', 'aead', 'sha384'],
  [0x00a0, 'TLS_DH_RSA_WITH_AES_128_GCM_SHA256', 'other', 'aes-128-gcm', 'aead'],
  [0x00a1, 'TLS_DH_RSA_WITH_AES_256_GCM_SHA384', 'other', 'aes-256-gcm', 'aead', 'sha384'],
  [0x0030, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0x0036, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0x0031, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0x0037, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0x003e, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA256', 'other', 'aes-128-cbc', 'sha256'],
  [0x0068, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA256', 'other', 'aes-256-cbc', 'sha256'],
  [0x003f, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA256', 'other', 'aes-128-cbc', 'sha256'],
  [0x0069, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA256', 'other', 'aes-256-cbc', 'sha256'],
  [0x0042, 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA', 'other', 'camellia-128-cbc', 'sha1'],
  [0x0085, 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA', 'other', 'camellia-256-cbc', 'sha1'],
  [0x0043, 'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA', 'other', 'camellia-128-cbc', 'sha1'],
  [0x0086, 'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA', 'other', 'camellia-256-cbc', 'sha1'],
  [0x0097, 'TLS_DH_DSS_WITH_SEED_CBC_SHA', 'other', 'seed-cbc', 'sha1'],
  [0x0098, 'TLS_DH_RSA_WITH_SEED_CBC_SHA', 'other', 'seed-cbc', 'sha1'],
  [0x000d, 'TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA', 'other', 'des-ede3-cbc', 'sha1'],
  [0x0010, 'TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA', 'other', 'des-ede3-cbc', 'sha1'],
  [0x000c, 'TLS_DH_DSS_WITH_DES_CBC_SHA', 'other', 'des-cbc', 'sha1'],
  [0x000f, 'TLS_DH_RSA_WITH_DES_CBC_SHA', 'other', 'des-cbc', 'sha1'],
  // Static ECDH (certificate-bound EC key): key exchange not implemented
  [0xc02d, 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256', 'other', 'aes-128-gcm', 'aead'],
  [0xc02e, 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384', 'other', 'aes-256-gcm', 'aead', 'sha384'],
  [0xc031, 'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256', 'other', 'aes-128-gcm', 'aead'],
  [0xc032, 'TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384', 'other', 'aes-256-gcm', 'aead', 'sha384'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0xc005, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0xc00f, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0xc025, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256', 'other', 'aes-128-cbc', 'sha256'],
  [0xc026, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384', 'other', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc029, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256', 'other', 'aes-128-cbc', 'sha256'],
  [0xc02a, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384', 'other', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc002, 'TLS_ECDH_ECDSA_WITH_RC4_128_SHA', 'other', 'rc4', 'sha1'],
  [0xc00c, 'TLS_ECDH_RSA_WITH_RC4_128_SHA', 'other', 'rc4', 'sha1'],
  [0xc003, 'TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA', 'other', 'des-ede3-cbc', 'sha1'],
  [0xc00d, 'TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA', 'other', 'des-ede3-cbc', 'sha1'],
  // RSA key transport
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 'aes-128-gcm', 'aead'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'RSA', 'aes-256-gcm', 'aead', 'sha384'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'RSA', 'aes-128-cbc', 'sha1'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'RSA', 'aes-256-cbc', 'sha1'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'RSA', 'aes-128-cbc', 'sha256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'RSA', 'aes-256-cbc', 'sha256'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'RSA', 'camellia-128-cbc', 'sha1'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', 'RSA', 'camellia-256-cbc', 'sha1'],
  [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'RSA', 'camellia-128-cbc', 'sha256'],
  [0x00c0, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256', 'RSA', 'camellia-256-cbc', 'sha256'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'RSA', 'des-ede3-cbc', 'sha1'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'RSA', 'rc4', 'sha1'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'RSA', 'rc4', 'md5'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA', 'RSA', 'seed-cbc', 'sha1'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA', 'RSA', 'idea-cbc', 'sha1'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA', 'RSA', 'des-cbc', 'sha1'],
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'RSA', 'export', 'md5'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', 'RSA', 'export', 'md5'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'RSA', 'export', 'sha1'],
  [0x0001, 'TLS_RSA_WITH_NULL_MD5', 'RSA', 'null', 'md5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA', 'RSA', 'null', 'sha1'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256', 'RSA', 'null', 'sha256'],
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', 'other', 'scsv', 'aead'],
  [0x5600, 'TLS_FALLBACK_SCSV', 'other', 'scsv', 'aead'],
];

/** Every suite the engine knows, in table order. */
export const CIPHER_SUITES: readonly CipherSuite[] = T.map(([id, name, kex, cipher, mac, prf]) => ({ id, name, kex, cipher, mac, prf: prf ?? 'sha256' }));
const BY_ID = new Map(CIPHER_SUITES.map((s) => [s.id, s]));
const BY_NAME = new Map(CIPHER_SUITES.map((s) => [s.name, s]));

/** Look a suite up by IANA id; unknown ids get a hex name. */
export function cipherSuiteById(id: number): CipherSuite | undefined {
  return BY_ID.get(id);
}

export function cipherSuiteName(id: number): string {
  return BY_ID.get(id)?.name ?? `0x${id.toString(16).padStart(4, '0')}`;
}

/** Accepts an IANA name or a number / "0x…" string. */
export function cipherSuiteId(nameOrId: string | number): number | undefined {
  if (typeof nameOrId === 'number') return Number.isInteger(nameOrId) && nameOrId >= 0 && nameOrId <= 0xffff ? nameOrId : undefined;
  const s = BY_NAME.get(nameOrId);
  if (s) return s.id;
  if (/^0x[0-9a-f]{1,4}$/i.test(nameOrId)) return parseInt(nameOrId, 16);
  return undefined;
}

/** Why a negotiated suite cannot be completed by this engine, or undefined when it can. */
export function whyNotCompletable(s: CipherSuite | undefined): string | undefined {
  if (!s) return 'unknown cipher suite';
  if (s.cipher === 'scsv') return `${s.name} is a signalling value, not a cipher suite`;
  if (s.name.includes('_anon_')) return 'anonymous key exchange is not completed';
  if (s.kex === 'other') return `key exchange of ${s.name} (static DH/ECDH) is not implemented`;
  switch (s.cipher) {
    case 'aes-128-gcm':
    case 'aes-256-gcm':
    case 'chacha20-poly1305':
    case 'aes-128-cbc':
    case 'aes-256-cbc':
    case 'camellia-128-cbc':
    case 'camellia-256-cbc':
    case 'des-ede3-cbc':
    case 'rc4':
      return undefined;
    case 'seed-cbc':
    case 'idea-cbc':
    case 'des-cbc':
      return legacyCipherMissing(s.cipher);
    case 'export':
      return 'export-grade suites are not completed';
    case 'null':
      return 'NULL encryption is not completed';
    default:
      return `bulk cipher ${s.cipher} is not implemented`;
  }
}
