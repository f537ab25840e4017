import type { TlsVersion } from '../record/tls-schema.js';

/** IANA names for the TLS registries the engine reports. */

export const VERSION_CODES: Record<TlsVersion, number> = {
  SSLv2: 0x0002,
  SSLv3: 0x0300,
  'TLSv1.0': 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
};

const VERSION_NAMES = new Map(Object.entries(VERSION_CODES).map(([k, v]) => [v, k as TlsVersion]));

export function versionName(code: number): TlsVersion | undefined {
  return VERSION_NAMES.get(code);
}

export const EXTENSIONS: Record<string, number> = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  heartbeat: 15,
  alpn: 16,
  signed_certificate_timestamp: 18,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
};
const EXT_NAMES = new Map(Object.entries(EXTENSIONS).map(([k, v]) => [v, k]));
export function extensionName(id: number): string {
  return EXT_NAMES.get(id) ?? `unknown_${id}`;
}

export const GROUPS: Record<string, number> = {
  sect283k1: 9,
  sect283r1: 10,
  sect409k1: 11,
  sect409r1: 12,
  sect571k1: 13,
  sect571r1: 14,
  secp256k1: 22,
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  brainpoolP256r1: 26,
  brainpoolP384r1: 27,
  brainpoolP512r1: 28,
  x25519: 29,
  x448: 30,
  ffdhe2048: 256,
  ffdhe3072: 257,
  ffdhe4096: 258,
};
const GROUP_NAMES = new Map(Object.entries(GROUPS).map(([k, v]) => [v, k]));
export function groupName(id: number): string {
  return GROUP_NAMES.get(id) ?? `group_${id}`;
}
export const GROUP_BITS: Record<string, number> = {
  secp256r1: 256, secp384r1: 384, secp521r1: 521, x25519: 253, x448: 448, secp256k1: 256,
  brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512,
  sect283k1: 283, sect283r1: 283, sect409k1: 409, sect409r1: 409, sect571k1: 571, sect571r1: 571,
};

export const SIGNATURE_ALGORITHMS: Record<string, number> = {
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  dsa_sha1: 0x0202,
  dsa_sha256: 0x0402,
  dsa_sha384: 0x0502,
  dsa_sha512: 0x0602,
  // SHA-224 (TLS 1.2 only; deprecated by RFC 8446 but in the 2015 clients' offers)
  rsa_pkcs1_sha224: 0x0301,
  dsa_sha224: 0x0302,
  ecdsa_sha224: 0x0303,
};

export const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertName(code: number): string {
  return ALERTS[code] ?? `alert_${code}`;
}

export const HANDSHAKE_TYPES: Record<number, string> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  22: 'CertificateStatus',
  24: 'KeyUpdate',
  254: 'MessageHash',
};

export function handshakeTypeName(t: number): string {
  return HANDSHAKE_TYPES[t] ?? `handshake_${t}`;
}

/** The HelloRetryRequest's fixed ServerHello.random (RFC 8446 4.1.3). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
