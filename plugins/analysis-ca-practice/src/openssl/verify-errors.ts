import type { ValidationError } from '../validate/errors.js';

/**
 * The X509_V_ERR_* codes of OpenSSL 3.0 (include/openssl/x509_vfy.h) the
 * OpenSSL-equivalent verdict can report, with the text `openssl verify`
 * prints ("error 20 at 0 depth lookup: unable to get local issuer certificate").
 */
export const X509_V = {
  UNSPECIFIED: 1,
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6,
  CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21,
  CERT_CHAIN_TOO_LONG: 22,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  KEYUSAGE_NO_CERTSIGN: 32,
  UNHANDLED_CRITICAL_EXTENSION: 34,
  PERMITTED_VIOLATION: 47,
  EXCLUDED_VIOLATION: 48,
  SUBTREE_MINMAX: 49,
  UNSUPPORTED_CONSTRAINT_TYPE: 51,
  UNSUPPORTED_NAME_SYNTAX: 53,
  EE_KEY_TOO_SMALL: 66,
  CA_KEY_TOO_SMALL: 67,
  CA_MD_TOO_WEAK: 68,
  INVALID_CA: 79,
  EC_KEY_EXPLICIT_PARAMS: 94,
} as const;

/** Not an OpenSSL code: a certificate we could not parse, so no OpenSSL-equivalent verdict exists. */
export const UNPARSABLE = -1;

export const X509_V_TEXT: Record<number, string> = {
  [UNPARSABLE]: 'certificate does not parse (no OpenSSL verdict)',
  0: 'ok',
  1: 'unspecified certificate verification error',
  2: 'unable to get issuer certificate',
  6: 'unable to decode issuer public key',
  7: 'certificate signature failure',
  9: 'certificate is not yet valid',
  10: 'certificate has expired',
  18: 'self-signed certificate',
  19: 'self-signed certificate in certificate chain',
  20: 'unable to get local issuer certificate',
  21: 'unable to verify the first certificate',
  22: 'certificate chain too long',
  25: 'path length constraint exceeded',
  26: 'unsuitable certificate purpose',
  32: 'key usage does not include certificate signing',
  34: 'unhandled critical extension',
  47: 'permitted subtree violation',
  48: 'excluded subtree violation',
  49: 'name constraints minimum and maximum not supported',
  51: 'unsupported name constraint type',
  53: 'unsupported or invalid name syntax',
  66: 'EE certificate key too weak',
  67: 'CA certificate key too weak',
  68: 'CA signature digest algorithm too weak',
  79: 'invalid CA certificate',
  94: 'Certificate public key has explicit ECC parameters',
};

/** One error as OpenSSL's verify callback sees it: the code, the chain depth, and what it means in our vocabulary. */
export interface OsslError {
  code: number;
  depth: number;
  error: ValidationError;
}

/** The error of ours each code maps onto (INVALID_PURPOSE is mapped where it is raised: its cause decides). */
const MAPPED: Record<number, ValidationError> = {
  1: 'path-building-limit',
  2: 'unknown-issuer',
  6: 'bad-signature',
  7: 'bad-signature',
  9: 'not-yet-valid',
  10: 'expired',
  18: 'self-signed',
  19: 'unknown-issuer',
  20: 'unknown-issuer',
  21: 'unknown-issuer',
  22: 'chain-too-long',
  25: 'path-length-exceeded',
  32: 'ca-key-usage',
  34: 'unknown-critical-extension',
  47: 'name-constraints',
  48: 'name-constraints',
  49: 'name-constraints',
  51: 'name-constraints',
  53: 'name-constraints',
  66: 'weak-key',
  67: 'weak-key',
  68: 'weak-signature',
  79: 'not-a-ca',
  94: 'weak-key',
};

export function osslError(code: number, depth: number, error?: ValidationError): OsslError {
  return { code, depth, error: error ?? MAPPED[code] ?? 'malformed-certificate' };
}
