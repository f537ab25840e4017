// What synthetic servers say: services, negotiated suites, SASL lists and
// failure modes, each with a weight. The truth is counted from these choices.

export const SERVICES = [
  { service: 'smtp', port: 25, mode: 'starttls', protocol: 'smtp' },
  { service: 'submission', port: 587, mode: 'starttls', protocol: 'smtp' },
  { service: 'imap', port: 143, mode: 'starttls', protocol: 'imap' },
  { service: 'imaps', port: 993, mode: 'implicit', protocol: 'imap' },
  { service: 'pop3', port: 110, mode: 'starttls', protocol: 'pop3' },
  { service: 'xmpp-client', port: 5222, mode: 'starttls', protocol: 'xmpp' },
];

/** cat: the expected cipher category (Fig. 3). */
export const SUITES = [
  { w: 30, version: 'TLSv1.2', id: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', kx: { kind: 'ECDHE', group: 'x25519', bits: 253 }, cat: 'ECDHE' },
  { w: 15, version: 'TLSv1.3', id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', kx: { kind: 'TLS13', group: 'x25519', bits: 253 }, cat: 'ECDHE' },
  { w: 10, version: 'TLSv1.2', id: 0xc02b, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', kx: { kind: 'ECDHE', group: 'secp256r1', bits: 256 }, cat: 'ECDHE' },
  { w: 12, version: 'TLSv1.2', id: 0x009e, name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', kx: { kind: 'DHE', bits: 2048 }, cat: 'DHE' },
  { w: 5, version: 'TLSv1.0', id: 0x0033, name: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'DHE', bits: 1024 }, cat: 'DHE' },
  { w: 10, version: 'TLSv1.0', id: 0x002f, name: 'TLS_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'RSA' }, cat: 'AES (no FS)' },
  { w: 6, version: 'TLSv1.2', id: 0x0005, name: 'TLS_RSA_WITH_RC4_128_SHA', kx: { kind: 'RSA' }, cat: 'RC4' },
  { w: 2, version: 'TLSv1.2', id: 0xc011, name: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', kx: { kind: 'ECDHE', group: 'secp384r1', bits: 384 }, cat: 'RC4' },
  { w: 5, version: 'TLSv1.0', id: 0x000a, name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', kx: { kind: 'RSA' }, cat: '3DES' },
  { w: 3, version: 'TLSv1.1', id: 0x0041, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', kx: { kind: 'RSA' }, cat: 'other' },
  { w: 2, version: 'SSLv3', id: 0x0004, name: 'TLS_RSA_WITH_RC4_128_MD5', kx: { kind: 'RSA' }, cat: 'RC4' },
];

/** SASL mechanism lists in server order (empty: no AUTH offered). */
export const COMBOS = [
  { w: 25, m: ['PLAIN', 'LOGIN'] },
  { w: 15, m: ['LOGIN', 'PLAIN'] },
  { w: 10, m: ['PLAIN'] },
  { w: 10, m: ['CRAM-MD5', 'PLAIN', 'LOGIN'] },
  { w: 8, m: ['SCRAM-SHA-1', 'PLAIN'] },
  { w: 5, m: ['DIGEST-MD5', 'CRAM-MD5'] },
  { w: 5, m: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5'] },
  { w: 22, m: [] },
];

/** Servers without a usable certificate. answered: the server said something. */
export const FAILURES = [
  { w: 40, kind: 'connect-failed' },
  { w: 25, kind: 'no-starttls' },
  { w: 15, kind: 'starttls-refused' },
  { w: 10, kind: 'tls-failed' },
  { w: 10, kind: 'timeout-after-banner' },
];

/** How many distinct IPs a regular certificate is served on. */
export const REUSE = [
  { w: 55, k: 1 }, { w: 15, k: 2 }, { w: 8, k: 3 }, { w: 5, k: 4 }, { w: 4, k: 5 },
  { w: 4, k: 8 }, { w: 3, k: 13 }, { w: 2.5, k: 21 }, { w: 2, k: 40 }, { w: 1.5, k: 60 },
];

/** The heavily reused invalid certificates (Table VI), k above any regular certificate's. */
export const HEAVY = [
  { k: 900, cls: 'self-signed', subject: 'CN=localhost.localdomain, O=Plesk', services: ['smtp', 'imap'] },
  { k: 700, cls: 'unknown-issuer', subject: 'CN=*.mail.hoster.example, O=Hoster Example Ltd', services: ['smtp'] },
  { k: 500, cls: 'self-signed', subject: 'CN=mailserver, O=Parallels', services: ['pop3', 'imaps', 'smtp'] },
  { k: 400, cls: 'expired', subject: 'CN=mx.expired.example, O=Expired Example', services: ['submission'] },
  { k: 300, cls: 'self-signed', subject: 'CN=ubuntu', services: ['xmpp-client'] },
];

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(random, table) {
  let total = 0;
  for (const e of table) total += e.w;
  let x = random() * total;
  for (const e of table) if ((x -= e.w) < 0) return e;
  return table[table.length - 1];
}
