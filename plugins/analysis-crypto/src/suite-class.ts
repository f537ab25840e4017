import { cipherSuiteById, type TlsInfo } from '@wildtls/core';

/**
 * What a negotiated suite is made of, kept apart so every split can be read
 * off (Fig. 3): the key exchange, the bulk cipher family, forward secrecy,
 * and the weaknesses counted in their own rows.
 */
export type KeyExchangeFamily = 'ECDHE' | 'DHE' | 'RSA' | 'other';
export type BulkFamily = 'AES-GCM' | 'AES-CBC' | 'ChaCha20' | 'Camellia' | '3DES' | 'RC4' | 'export' | 'NULL' | 'other';
export type Weakness = 'SSLv2' | 'SSLv3' | 'export' | 'NULL' | 'anonymous' | 'DES' | 'RC4' | '3DES';

export const KEY_EXCHANGE_FAMILIES: readonly KeyExchangeFamily[] = ['ECDHE', 'DHE', 'RSA', 'other'];
export const BULK_FAMILIES: readonly BulkFamily[] = ['AES-GCM', 'AES-CBC', 'ChaCha20', 'Camellia', '3DES', 'RC4', 'export', 'NULL', 'other'];
export const WEAKNESSES: readonly Weakness[] = ['SSLv2', 'SSLv3', 'export', 'NULL', 'anonymous', 'DES', 'RC4', '3DES'];

export interface SuiteClass {
  kx: KeyExchangeFamily;
  bulk: BulkFamily;
  /** An ephemeral key exchange authenticated by the server: ECDHE or DHE (every TLS 1.3 suite). */
  forwardSecrecy: boolean;
  anonymous: boolean;
  singleDes: boolean;
}

type TlsView = Pick<TlsInfo, 'cipherSuite' | 'keyExchange' | 'version'>;

/**
 * The suite is looked up in the engine's table by its IANA id; a suite the
 * table does not know is read from its name (IANA `TLS_ECDHE_RSA_WITH_...`
 * or OpenSSL `ECDHE-RSA-...`) and the record's key exchange. TLS 1.3 suites
 * name no key exchange: an ffdhe* group is DHE, any other ECDHE.
 * Anonymous and static (EC)DH key exchanges are "other" (no forward secrecy).
 */
export function classifySuite(tls: TlsView): SuiteClass {
  const name = typeof tls.cipherSuite?.name === 'string' ? tls.cipherSuite.name.toUpperCase() : '';
  const id = tls.cipherSuite?.id;
  const known = Number.isInteger(id) ? cipherSuiteById(id as number) : undefined;
  const anonymous = name.includes('_ANON_') || /^(ADH|AECDH)-/.test(name);
  let kx: KeyExchangeFamily;
  const tls13 = known?.kex === 'TLS13' || tls.keyExchange?.kind === 'TLS13' || tls.version === 'TLSv1.3' || /^TLS_(AES|CHACHA20)_/.test(name);
  if (tls13) kx = String(tls.keyExchange?.group ?? '').toLowerCase().startsWith('ffdhe') ? 'DHE' : 'ECDHE';
  else if (anonymous) kx = 'other';
  else if (known) kx = known.kex === 'TLS13' ? 'ECDHE' : known.kex;
  else kx = kxFromName(name) ?? kxFromRecord(tls.keyExchange?.kind);
  const bulk = known ? bulkFromTable(known.cipher) : bulkFromName(name);
  const singleDes = known ? known.cipher === 'des-cbc' : /(^|[_-])DES[_-]CBC[_-]/.test(name);
  return { kx, bulk, forwardSecrecy: kx === 'ECDHE' || kx === 'DHE', anonymous, singleDes };
}

/** The weaknesses of a negotiated version and suite, each counted on its own (they overlap). */
export function weaknessesOf(tls: TlsView, c: SuiteClass = classifySuite(tls)): Weakness[] {
  const out: Weakness[] = [];
  if (tls.version === 'SSLv2') out.push('SSLv2');
  if (tls.version === 'SSLv3') out.push('SSLv3');
  if (c.bulk === 'export') out.push('export');
  if (c.bulk === 'NULL') out.push('NULL');
  if (c.anonymous) out.push('anonymous');
  if (c.singleDes) out.push('DES');
  if (c.bulk === 'RC4') out.push('RC4');
  if (c.bulk === '3DES') out.push('3DES');
  return out;
}

function bulkFromTable(cipher: string): BulkFamily {
  switch (cipher) {
    case 'aes-128-gcm':
    case 'aes-256-gcm':
      return 'AES-GCM';
    case 'aes-128-cbc':
    case 'aes-256-cbc':
      return 'AES-CBC';
    case 'chacha20-poly1305':
      return 'ChaCha20';
    case 'camellia-128-cbc':
    case 'camellia-256-cbc':
      return 'Camellia';
    case 'des-ede3-cbc':
      return '3DES';
    case 'rc4':
      return 'RC4';
    case 'export':
      return 'export';
    case 'null':
      return 'NULL';
    default:
      return 'other'; // AES-CCM, SEED, IDEA, single DES, a signalling value
  }
}

function bulkFromName(n: string): BulkFamily {
  if (n.includes('EXPORT') || /^EXP[1-9]?-/.test(n)) return 'export';
  if (/(^|[_-])NULL([_-]|$)/.test(n)) return 'NULL';
  if (n.includes('RC4')) return 'RC4';
  if (n.includes('3DES') || n.includes('DES_CBC3') || n.includes('DES-CBC3')) return '3DES';
  if (n.includes('CHACHA20')) return 'ChaCha20';
  if (n.includes('CAMELLIA')) return 'Camellia';
  if (/AES/.test(n) && n.includes('GCM')) return 'AES-GCM';
  if (/AES/.test(n) && !n.includes('CCM')) return 'AES-CBC';
  return 'other';
}

function kxFromName(n: string): KeyExchangeFamily | undefined {
  if (/^(TLS_)?ECDHE[_-]/.test(n)) return 'ECDHE';
  if (/^(TLS_)?(DHE|EDH)[_-]/.test(n)) return 'DHE';
  if (/^TLS_RSA_/.test(n) || /^(AES|DES|RC4|CAMELLIA|SEED|IDEA|NULL|EXP-)/.test(n)) return 'RSA';
  return undefined;
}

function kxFromRecord(kind: unknown): KeyExchangeFamily {
  return kind === 'ECDHE' || kind === 'DHE' || kind === 'RSA' ? kind : 'other';
}
