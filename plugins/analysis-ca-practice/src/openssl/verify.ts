import { KU } from '../cert/extensions.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import type { IssuerPool } from '../validate/issuer-pool.js';
import { verifiedBy } from '../validate/path-builder.js';
import { buildChain } from './build-chain.js';
import { likelyIssued, osslView, signatureSecurityBits, sslServerPurpose } from './cert-view.js';
import { checkNameConstraints, constraintPairs } from './name-constraints.js';
import { X509_V, osslError, type OsslError } from './verify-errors.js';

/** Security level 1 (-auth_level 1): 80 bits for keys and signature digests. */
const LEVEL1_BITS = 80;
/** Name-constraint pairs compared for one chain before the rest are refused (UNSPECIFIED, as OpenSSL's per-pair guard). */
const CHAIN_PAIR_BUDGET = 1 << 22;

export interface OsslInput {
  leaf: ParsedCertificate;
  /** The other certificates sent, in wire order. */
  sent: readonly ParsedCertificate[];
  anchors: IssuerPool;
  /** Validation instant, epoch ms (OpenSSL compares whole seconds). */
  at: number;
  /** Intermediates from elsewhere (the scan), tried after the certificates sent. */
  extra?: IssuerPool;
}

export interface OsslVerdict {
  /** The chain OpenSSL builds: leaf first, the trust anchor last when `trusted`. */
  chain: ParsedCertificate[];
  trusted: boolean;
  /** Every error, in the order OpenSSL's verify callback would see them if it let verification go on after each. */
  errors: OsslError[];
}

function checkExtensions(chain: readonly ParsedCertificate[], out: OsslError[]): void {
  const num = chain.length;
  let plen = 0;
  for (let i = 0; i < num; i++) {
    const x = chain[i]!;
    const v = osslView(x);
    if (v.unhandledCritical) out.push(osslError(X509_V.UNHANDLED_CRITICAL_EXTENSION, i));
    // Intermediates need cA (basicConstraints); the top may also be a v1 root or a keyCertSign-only CA.
    if (i > 0 && (v.ca === 0 || (i + 1 < num && v.ca !== 1))) out.push(osslError(X509_V.INVALID_CA, i));
    if (num > 1 && x.ecExplicitParams) out.push(osslError(X509_V.EC_KEY_EXPLICIT_PARAMS, i));
    const purpose = sslServerPurpose(x, i > 0);
    if (purpose) out.push(osslError(X509_V.INVALID_PURPOSE, i, purpose));
    const pathLen = x.ext.basicConstraints?.pathLen;
    if (i > 1 && pathLen !== undefined && plen > pathLen) out.push(osslError(X509_V.PATH_LENGTH_EXCEEDED, i));
    if (i > 0 && !x.selfIssued) plen++;
  }
}

function checkAuthLevel(chain: readonly ParsedCertificate[], out: OsslError[]): void {
  for (let i = 0; i < chain.length; i++) {
    const x = chain[i]!;
    if (i > 0 && osslView(x).keyBits < LEVEL1_BITS) out.push(osslError(X509_V.CA_KEY_TOO_SMALL, i));
    // The trust anchor's own signature is never checked, so its digest does not count.
    if (i < chain.length - 1 && signatureSecurityBits(x) < LEVEL1_BITS) out.push(osslError(X509_V.CA_MD_TOO_WEAK, i));
  }
}

/** internal_verify: from the top down, the issuer's key usage and signature, then each certificate's validity period. */
function internalVerify(chain: readonly ParsedCertificate[], t: number, out: OsslError[]): void {
  let n = chain.length - 1;
  let xi = chain[n]!;
  let xs = xi;
  if (!likelyIssued(xi, xi, false)) {
    // The top is not self-issued (no trusted chain): its own signature and dates go unchecked.
    if (n > 0) xs = chain[--n]!;
    else out.push(osslError(X509_V.UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0));
  }
  while (n >= 0) {
    if (xs !== xi) {
      const ku = xi.ext.keyUsage;
      if (ku && !(ku.bits & KU.keyCertSign)) out.push(osslError(X509_V.KEYUSAGE_NO_CERTSIGN, n + 1));
      if (!xi.publicKey()) out.push(osslError(X509_V.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, n + 1));
      else if (!verifiedBy(xs, xi)) out.push(osslError(X509_V.CERT_SIGNATURE_FAILURE, n));
    }
    if (Math.floor(xs.notBefore / 1000) > t) out.push(osslError(X509_V.CERT_NOT_YET_VALID, n));
    if (Math.floor(xs.notAfter / 1000) <= t) out.push(osslError(X509_V.CERT_HAS_EXPIRED, n));
    if (--n >= 0) {
      xi = xs;
      xs = chain[n]!;
    }
  }
}

/** check_name_constraints: each certificate (self-issued intermediates skipped) against the constraints of every certificate above it. */
function checkNames(chain: readonly ParsedCertificate[], out: OsslError[]): void {
  let budget = CHAIN_PAIR_BUDGET;
  for (let i = chain.length - 1; i >= 0; i--) {
    const x = chain[i]!;
    if (i !== 0 && x.selfIssued) continue;
    for (let j = chain.length - 1; j > i; j--) {
      const nc = chain[j]!.ext.nameConstraints;
      if (!nc) continue;
      budget -= constraintPairs(x, nc);
      const r = budget < 0 ? X509_V.UNSPECIFIED : checkNameConstraints(x, nc, i === 0);
      if (r) out.push(osslError(r, i));
    }
  }
}

/**
 * What `openssl verify -auth_level 1 -purpose sslserver` (OpenSSL 3.0, no
 * host name) decides for a chain as sent, error by error: the leaf's key
 * strength, the chain OpenSSL builds, then extensions and purpose, key and
 * digest strength, signatures and validity periods from the top down, and
 * name constraints, in OpenSSL's order. Security level 1 counts SHA-1 as
 * 80 bits, as OpenSSL 1.1 did (see signatureSecurityBits).
 */
export function opensslVerify(input: OsslInput): OsslVerdict {
  const t = Math.floor(input.at / 1000);
  const errors: OsslError[] = [];
  if (osslView(input.leaf).keyBits < LEVEL1_BITS) errors.push(osslError(X509_V.EE_KEY_TOO_SMALL, 0));
  const built = buildChain(input.leaf, input.sent, input.anchors, t, undefined, input.extra);
  if (built.error) errors.push(osslError(built.error, built.chain.length - 1));
  checkExtensions(built.chain, errors);
  checkAuthLevel(built.chain, errors);
  internalVerify(built.chain, t, errors);
  checkNames(built.chain, errors);
  return { chain: built.chain, trusted: built.trusted, errors };
}
