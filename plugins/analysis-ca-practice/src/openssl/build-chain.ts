import type { ParsedCertificate } from '../cert/parse-certificate.js';
import type { IssuerPool } from '../validate/issuer-pool.js';
import { likelyIssued, osslView } from './cert-view.js';
import { X509_V } from './verify-errors.js';

/** X509_VERIFY_PARAM's default depth (100): chains longer than depth + 1 fail with CERT_CHAIN_TOO_LONG. */
export const DEFAULT_DEPTH = 100;
/** Same-name candidates taken from the scan's pool per step: servers could fill it with look-alikes that every chain would scan. */
const MAX_EXTRA_CANDIDATES = 64;

export interface BuiltChain {
  /** Leaf first; the trust anchor last when `trusted`. */
  chain: ParsedCertificate[];
  /** How many of the chain's certificates came from the peer (the rest from the trust store). */
  untrusted: number;
  trusted: boolean;
  /** Why no trusted chain was built (18, 19, 20, 2 or 22), at depth chain.length - 1. */
  error?: number;
}

/** ossl_x509_check_cert_time without callbacks: notBefore <= t < notAfter, in whole seconds (notAfter itself counts as expired). */
export function timeValid(c: ParsedCertificate, t: number): boolean {
  return Math.floor(c.notBefore / 1000) <= t && Math.floor(c.notAfter / 1000) > t;
}

/**
 * get0_best_issuer_sk / X509_STORE_CTX_get1_issuer: the first candidate that
 * issued `x` and is within its validity period, else the one of those with
 * the latest notAfter.
 */
function bestIssuer(candidates: readonly ParsedCertificate[], x: ParsedCertificate, t: number, skip?: (c: ParsedCertificate) => boolean): ParsedCertificate | undefined {
  let best: ParsedCertificate | undefined;
  for (const c of candidates) {
    if (!likelyIssued(c, x) || skip?.(c)) continue;
    if (timeValid(c, t)) return c;
    if (!best || c.notAfter > best.notAfter) best = c;
  }
  return best;
}

/**
 * OpenSSL 3.0's build_chain with its defaults (trusted first, no partial
 * chains, no DANE): grow the chain from the leaf, at each step taking the
 * issuer from the trust store when there is one, else from the peer's
 * certificates (each used once, in the order sent), until a self-signed
 * trusted certificate ends it. No signature is checked while building; a
 * self-signed peer certificate stops the untrusted search. Linear in the
 * certificates sent (each leaves the pool when used).
 */
export function buildChain(leaf: ParsedCertificate, sent: readonly ParsedCertificate[], anchors: IssuerPool, t: number, depth = DEFAULT_DEPTH, extra?: IssuerPool): BuiltChain {
  const chain: ParsedCertificate[] = [leaf];
  let untrusted = 1;
  const pool = sent.slice();
  const maxDepth = depth + 1;
  let searchUntrusted = pool.length > 0 || (extra?.size ?? 0) > 0;
  let trusted = false;
  for (let guard = 0; guard <= maxDepth + pool.length + 1; guard++) {
    const num = chain.length;
    const curr = chain[num - 1]!;
    const issuer = num > maxDepth ? undefined : bestIssuer(anchors.issuersOf(curr), curr, t);
    if (issuer) {
      let ok = true;
      if (!osslView(curr).selfSigned) chain.push(issuer);
      else if (!issuer.der.equals(curr.der)) ok = false; // a self-signed look-alike of an anchor
      else {
        chain[num - 1] = issuer;
        untrusted = num - 1;
      }
      if (ok) {
        searchUntrusted = false;
        // check_trust: a trusted certificate is a trust anchor when it is self-signed (X509_TRUST_COMPAT).
        const top = chain[chain.length - 1]!;
        if (osslView(top).selfSigned && !osslView(top).invalid) {
          trusted = true;
          break;
        }
        if (!osslView(top).selfSigned) continue;
      }
    }
    if (!searchUntrusted) break;
    // The scan's intermediates (when given) come after the certificates sent, as if appended to them.
    const candidates = extra ? [...pool, ...extra.issuersOf(curr).slice(0, MAX_EXTRA_CANDIDATES)] : pool;
    const next = osslView(curr).selfSigned || num > maxDepth ? undefined : bestIssuer(candidates, curr, t, (c) => !(curr.selfIssued && num === 1) && chain.some((x) => x.fingerprint === c.fingerprint));
    if (!next) {
      searchUntrusted = false;
      continue;
    }
    const at = pool.indexOf(next);
    if (at >= 0) pool.splice(at, 1);
    chain.push(next);
    untrusted++;
  }
  if (trusted) return { chain, untrusted, trusted };
  const num = chain.length;
  let error: number;
  if (num > maxDepth) error = X509_V.CERT_CHAIN_TOO_LONG;
  else if (osslView(chain[num - 1]!).selfSigned) error = num === 1 ? X509_V.DEPTH_ZERO_SELF_SIGNED_CERT : X509_V.SELF_SIGNED_CERT_IN_CHAIN;
  else error = untrusted < num ? X509_V.UNABLE_TO_GET_ISSUER_CERT : X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  return { chain, untrusted, trusted, error };
}
