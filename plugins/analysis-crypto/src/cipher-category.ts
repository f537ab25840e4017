import type { TlsInfo } from '@wildtls/core';

/** The study's cipher categories (Fig. 3). */
export type CipherCategory = 'RC4' | '3DES' | 'ECDHE' | 'DHE' | 'AES (no FS)' | 'other';

export const CIPHER_CATEGORIES: readonly CipherCategory[] = ['ECDHE', 'DHE', 'AES (no FS)', 'RC4', '3DES', 'other'];

/**
 * Weak bulk ciphers first (an ECDHE suite with RC4 is an RC4 suite), then the
 * key exchange: ECDHE, DHE (TLS 1.3 by its group: ffdhe* is DHE, anything
 * else ECDHE), then RSA key transport with AES; everything else is "other".
 * Works on IANA names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) and OpenSSL
 * names (ECDHE-RSA-AES128-GCM-SHA256).
 */
export function cipherCategory(tls: Pick<TlsInfo, 'cipherSuite' | 'keyExchange' | 'version'>): CipherCategory {
  const name = String(tls.cipherSuite?.name ?? '').toUpperCase();
  if (name.includes('RC4')) return 'RC4';
  if (name.includes('3DES') || name.includes('DES_CBC3') || name.includes('DES-CBC3')) return '3DES';
  const kx = keyExchangeOf(tls, name);
  if (kx === 'ECDHE') return 'ECDHE';
  if (kx === 'DHE') return 'DHE';
  if (kx === 'RSA' && name.includes('AES')) return 'AES (no FS)';
  return 'other';
}

function keyExchangeOf(tls: Pick<TlsInfo, 'keyExchange' | 'version'>, name: string): 'ECDHE' | 'DHE' | 'RSA' | 'other' {
  const kind = tls.keyExchange?.kind;
  if (kind === 'TLS13' || tls.version === 'TLSv1.3' || name.startsWith('TLS_AES_') || name.startsWith('TLS_CHACHA20_')) {
    return String(tls.keyExchange?.group ?? '').toLowerCase().startsWith('ffdhe') ? 'DHE' : 'ECDHE';
  }
  if (kind === 'ECDHE' || kind === 'DHE' || kind === 'RSA') return kind;
  if (kind === 'other') return 'other';
  // No engine verdict: read the suite name.
  if (/^(TLS_)?ECDHE[_-]/.test(name)) return 'ECDHE';
  if (/^(TLS_)?(DHE|EDH)[_-]/.test(name)) return 'DHE';
  if (/^TLS_RSA_/.test(name) || /^(AES|DES|RC4|CAMELLIA|SEED|IDEA)/.test(name)) return 'RSA';
  return 'other';
}
