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
  | 'aes-128-ccm' | 'rc4' | 'camellia-cbc' | 'seed-cbc' | 'idea-cbc' | 'des-cbc' | 'export' | 'null' | 'scsv';
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

// [id, name, kex, cipher, mac, prf]; prf defaults to sha256.
const T: [number, string, KexKind, BulkCipher, MacHash, ('sha384')?][] = [
  [0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS13', 'aes-128-gcm', 'aead'],
  [0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS13', 'aes-256-gcm', 'aead', 'sha384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS13', 'chacha20-poly1305', 'aead'],
  [0x1304, 'TLS_AES_128_CCM_SHA256', 'TLS13', 'aes-128-ccm', 'aead'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'TLS13', 'aes-128-ccm', 'aead'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'aes-128-gcm', 'aead'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'aes-128-gcm', 'aead'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE', 'chacha20-poly1305', 'aead'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE', 'chacha20-poly1305', 'aead'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE', 'chacha20-poly1305', 'aead'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE', 'aes-256-cbc', 'sha1'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE', 'aes-256-cbc', 'sha1'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE', 'aes-128-cbc', 'sha256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE', 'aes-128-cbc', 'sha256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE', 'rc4', 'sha1'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE', 'rc4', 'sha1'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE', 'des-ede3-cbc', 'sha1'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE', 'des-ede3-cbc', 'sha1'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE', 'aes-128-gcm', 'aead'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE', 'aes-256-gcm', 'aead', 'sha384'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 'DHE', 'aes-128-gcm', 'aead'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE', 'aes-128-cbc', 'sha256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE', 'aes-256-cbc', 'sha256'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE', 'des-ede3-cbc', 'sha1'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', 'DHE', 'des-ede3-cbc', 'sha1'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'DHE', 'camellia-cbc', 'sha1'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE', 'camellia-cbc', 'sha1'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA', 'DHE', 'des-cbc', 'sha1'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'DHE', 'export', 'sha1'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'DHE', 'aes-128-cbc', 'sha1'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA', 'DHE', 'aes-256-cbc', 'sha1'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5', 'DHE', 'rc4', 'md5'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', 'ECDHE', 'aes-128-cbc', 'sha1'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0xc005, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'other', 'aes-128-cbc', 'sha1'],
  [0xc00f, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA', 'other', 'aes-256-cbc', 'sha1'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 'aes-128-gcm', 'aead'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'RSA', 'aes-256-gcm', 'aead', 'sha384'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'RSA', 'aes-128-cbc', 'sha1'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'RSA', 'aes-256-cbc', 'sha1'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'RSA', 'aes-128-cbc', 'sha256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'RSA', 'aes-256-cbc', 'sha256'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'RSA', 'des-ede3-cbc', 'sha1'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'RSA', 'rc4', 'sha1'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'RSA', 'rc4', 'md5'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'RSA', 'camellia-cbc', 'sha1'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', 'RSA', 'camellia-cbc', 'sha1'],
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

const BY_ID = new Map<number, CipherSuite>();
const BY_NAME = new Map<string, CipherSuite>();
for (const [id, name, kex, cipher, mac, prf] of T) {
  const s: CipherSuite = { id, name, kex, cipher, mac, prf: prf ?? 'sha256' };
  BY_ID.set(id, s);
  BY_NAME.set(name, s);
}

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
  if (s.kex === 'other') return `key exchange of ${s.name} is not implemented`;
  if (s.name.includes('_anon_')) return 'anonymous key exchange is not completed';
  switch (s.cipher) {
    case 'aes-128-gcm':
    case 'aes-256-gcm':
    case 'chacha20-poly1305':
    case 'aes-128-cbc':
    case 'aes-256-cbc':
    case 'des-ede3-cbc':
      return undefined;
    case 'rc4':
      return 'RC4 is not available in this Node build (OpenSSL legacy provider)';
    default:
      return `bulk cipher ${s.cipher} is not implemented`;
  }
}
