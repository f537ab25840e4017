import type { TlsProfile } from './profiles.js';

/**
 * The built-in ClientHello profiles (docs/tls-engine.md, "Profiles"): study
 * (the default), modern, compat and ssl3. Each is data; a user profile may
 * `extends` any of them.
 */
const MODERN: TlsProfile = {
  name: 'modern',
  description: 'TLS 1.3 and 1.2 as a current browser offers them',
  recordVersion: 'TLSv1.0',
  clientVersion: 'TLSv1.2',
  supportedVersions: ['TLSv1.3', 'TLSv1.2'],
  cipherSuites: [
    'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA',
  ],
  compressionMethods: [0],
  extensions: [
    'server_name', 'extended_master_secret', 'renegotiation_info', 'supported_groups', 'ec_point_formats',
    'session_ticket', 'alpn', 'status_request', 'signature_algorithms', 'key_share', 'psk_key_exchange_modes',
    'supported_versions',
  ],
  groups: ['x25519', 'secp256r1', 'secp384r1'],
  keyShares: ['x25519'],
  signatureAlgorithms: [
    'ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256', 'rsa_pkcs1_sha256', 'ecdsa_secp384r1_sha384',
    'rsa_pss_rsae_sha384', 'rsa_pkcs1_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha512', 'ed25519',
  ],
  pointFormats: [0],
  alpn: [],
  sessionIdLength: 32,
};

/**
 * The default offer of the OpenSSL 1.0.2 client (`openssl s_client`, curl, the
 * study's scanner), cipher string `ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2`
 * (OpenSSL 1.0.2g and later; earlier 1.0.x also offered the LOW single-DES
 * suites). Order, groups, signature algorithms and extensions are those of the
 * OpenSSL 1.0.2e ClientHello captured by SSL Labs (its client list, as carried
 * in testssl.sh's etc/client-simulation.txt), with the five LOW suites removed.
 */
const OPENSSL_102_SUITES = [
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_DH_DSS_WITH_AES_256_GCM_SHA384', 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384',
  'TLS_DH_RSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256',
  'TLS_DH_RSA_WITH_AES_256_CBC_SHA256', 'TLS_DH_DSS_WITH_AES_256_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA',
  'TLS_DH_RSA_WITH_AES_256_CBC_SHA', 'TLS_DH_DSS_WITH_AES_256_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA', 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384', 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384',
  'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_DH_DSS_WITH_AES_128_GCM_SHA256', 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256',
  'TLS_DH_RSA_WITH_AES_128_GCM_SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256',
  'TLS_DH_RSA_WITH_AES_128_CBC_SHA256', 'TLS_DH_DSS_WITH_AES_128_CBC_SHA256',
  'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA',
  'TLS_DH_RSA_WITH_AES_128_CBC_SHA', 'TLS_DH_DSS_WITH_AES_128_CBC_SHA',
  'TLS_DHE_RSA_WITH_SEED_CBC_SHA', 'TLS_DHE_DSS_WITH_SEED_CBC_SHA', 'TLS_DH_RSA_WITH_SEED_CBC_SHA', 'TLS_DH_DSS_WITH_SEED_CBC_SHA',
  'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA', 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA',
  'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256',
  'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_SEED_CBC_SHA', 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'TLS_RSA_WITH_IDEA_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'TLS_ECDH_RSA_WITH_RC4_128_SHA', 'TLS_ECDH_ECDSA_WITH_RC4_128_SHA',
  'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_RC4_128_MD5',
  'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA',
  'TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA',
  'TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
];
const OPENSSL_102_GROUPS = [
  'secp256r1', 'secp521r1', 'brainpoolP512r1', 'brainpoolP384r1', 'secp384r1', 'brainpoolP256r1', 'secp256k1',
  'sect571r1', 'sect571k1', 'sect409k1', 'sect409r1', 'sect283k1', 'sect283r1',
];
const OPENSSL_102_SIGALGS = [
  'rsa_pkcs1_sha512', 'dsa_sha512', 'ecdsa_secp521r1_sha512', 'rsa_pkcs1_sha384', 'dsa_sha384', 'ecdsa_secp384r1_sha384',
  'rsa_pkcs1_sha256', 'dsa_sha256', 'ecdsa_secp256r1_sha256', 'rsa_pkcs1_sha224', 'dsa_sha224', 'ecdsa_sha224',
  'rsa_pkcs1_sha1', 'dsa_sha1', 'ecdsa_sha1',
];
const OPENSSL_102_EXTENSIONS = ['server_name', 'ec_point_formats', 'supported_groups', 'session_ticket', 'signature_algorithms', 'status_request', 'heartbeat'];

// The 2015 client's offer, exactly, plus RFC 7685 padding (sent only when the hello would be 256-511 bytes).
const COMPAT: TlsProfile = {
  name: 'compat',
  description: "The OpenSSL 1.0.2 client's default offer (the study's, 2015): TLS 1.0 to 1.2, ECDHE, DHE, RSA, static DH/ECDH, AES, Camellia, SEED, IDEA, RC4, 3DES",
  recordVersion: 'TLSv1.0',
  clientVersion: 'TLSv1.2',
  supportedVersions: [],
  cipherSuites: [...OPENSSL_102_SUITES, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  compressionMethods: [0],
  extensions: [...OPENSSL_102_EXTENSIONS, 'padding'],
  groups: OPENSSL_102_GROUPS,
  keyShares: [],
  signatureAlgorithms: OPENSSL_102_SIGALGS,
  pointFormats: [0, 1, 2],
  alpn: [],
  sessionIdLength: 0,
};

/**
 * The default: the 2015 client's offer, unchanged and in its order, so a server
 * that answered the study answers the same; plus TLS 1.3 (its suites first,
 * supported_versions 1.3 down to 1.0, an X25519 key share) and ChaCha20 suites
 * last (a server picks them only when it prefers them or has nothing older).
 */
const STUDY: TlsProfile = {
  name: 'study',
  description: 'The OpenSSL 1.0.2 offer of the study (compat) plus TLS 1.3 and ChaCha20: TLS 1.0 to 1.3',
  recordVersion: 'TLSv1.0',
  clientVersion: 'TLSv1.2',
  supportedVersions: ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1.0'],
  cipherSuites: [
    'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
    ...OPENSSL_102_SUITES,
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
  ],
  compressionMethods: [0],
  extensions: [...OPENSSL_102_EXTENSIONS, 'supported_versions', 'key_share', 'psk_key_exchange_modes', 'padding'],
  // x25519 last: a TLS 1.2 server that follows the client's order picks the curve the study's client got.
  groups: [...OPENSSL_102_GROUPS, 'x25519'],
  // A P-256 share beside X25519 (as Firefox sends): a TLS 1.3 server that follows the client's group
  // order (GnuTLS) would otherwise answer with a HelloRetryRequest for secp256r1, one more round trip.
  keyShares: ['x25519', 'secp256r1'],
  // The 1.0.2 list, then what TLS 1.3 needs (RSA-PSS, EdDSA); TLS 1.2 servers pick from the front as before.
  signatureAlgorithms: [
    ...OPENSSL_102_SIGALGS,
    'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'ed25519', 'ed448',
    'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  ],
  pointFormats: [0, 1, 2],
  alpn: [],
  // A 32-byte legacy session id: TLS 1.3 middlebox compatibility (RFC 8446 D.4); a TLS 1.2 server starts a new session.
  sessionIdLength: 32,
};

const SSL3: TlsProfile = {
  name: 'ssl3',
  description: 'SSL 3.0 only, no extensions',
  recordVersion: 'SSLv3',
  clientVersion: 'SSLv3',
  supportedVersions: [],
  cipherSuites: [
    'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_RC4_128_MD5',
    'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
  ],
  compressionMethods: [0],
  extensions: [],
  groups: [],
  keyShares: [],
  signatureAlgorithms: [],
  pointFormats: [],
  alpn: [],
  sessionIdLength: 0,
};

export const BUILTIN_PROFILES: Readonly<Record<string, TlsProfile>> = { study: STUDY, modern: MODERN, compat: COMPAT, ssl3: SSL3 };

/** The profile `wildtls scan` offers unless told otherwise (config `tls.profile`). */
export const DEFAULT_PROFILE = 'study';
