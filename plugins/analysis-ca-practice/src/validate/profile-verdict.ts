import { EKU } from '../cert/extensions.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { signatureSecurityBits } from '../openssl/cert-view.js';
import { X509_V, UNPARSABLE } from '../openssl/verify-errors.js';
import { opensslVerify } from '../openssl/verify.js';
import { validateChain } from './chain-validator.js';
import type { ValidationError } from './errors.js';
import { IssuerPool } from './issuer-pool.js';

/** Which rules make a chain valid (see docs/analyses/ca-practice.md, "Profiles"). */
export const PROFILES = ['openssl', 'strict', 'webpki'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ProfileSettings {
  profile: Profile;
  anchors: IssuerPool;
  strictAnchors: boolean;
  maxIntermediates: number;
  maxSignatureChecks: number;
  /** webpki: a leaf valid for longer than this is an error (validity-too-long). */
  maxValidityMs: number;
}

export interface ProfileVerdict {
  errors: ValidationError[];
  /** The chain the verdict is about (complete: ends at a trust anchor), for the CA-practice flags. */
  path: ParsedCertificate[];
  complete: boolean;
  /** The first error `openssl verify` reports for the chain as sent (code 0: it verifies), whatever the profile. */
  openssl: { code: number; depth: number };
  /** No issuer was found for the top of the chain: its issuer's name, to retry once the scan has seen more intermediates. */
  missingIssuer?: string;
}

function unique(errors: Iterable<ValidationError>): ValidationError[] {
  return [...new Set(errors)];
}

/** The OpenSSL-equivalent verdict; a chain OpenSSL cannot complete is retried with the scan's intermediates (missing-intermediate). */
function opensslProfile(leaf: ParsedCertificate, rest: ParsedCertificate[], at: number, s: ProfileSettings, extra?: IssuerPool): ProfileVerdict {
  const first = opensslVerify({ leaf, sent: rest, anchors: s.anchors, at });
  const openssl = first.errors[0] ? { code: first.errors[0].code, depth: first.errors[0].depth } : { code: 0, depth: 0 };
  const noIssuer = first.errors.some((e) => e.code === X509_V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  if (noIssuer && extra && extra.size > 0) {
    const second = opensslVerify({ leaf, sent: rest, anchors: s.anchors, at, extra });
    if (second.trusted) return { errors: unique(['missing-intermediate', ...second.errors.map((e) => e.error)]), path: second.chain, complete: true, openssl };
  }
  const top = first.chain[first.chain.length - 1]!;
  return { errors: unique(first.errors.map((e) => e.error)), path: first.chain, complete: first.trusted, openssl, missingIssuer: noIssuer ? top.issuer.key : undefined };
}

/** Today's RFC 5280 and profile rules (strict), plus weak digests and over-long leaves (webpki); the OpenSSL verdict only for its first error. */
function searchProfile(sent: readonly (ParsedCertificate | undefined)[], leaf: ParsedCertificate, rest: ParsedCertificate[], at: number, s: ProfileSettings, extra?: IssuerPool): ProfileVerdict {
  const v = validateChain(
    { sent, at, eku: EKU.serverAuth, extra },
    { anchors: s.anchors, strictAnchors: s.strictAnchors, maxIntermediates: s.maxIntermediates, maxSignatureChecks: s.maxSignatureChecks },
    new IssuerPool(rest),
  );
  const errors = v.errors.slice();
  if (s.profile === 'webpki') {
    const signed = v.complete ? v.path.slice(0, -1) : v.path;
    if (signed.some((c) => signatureSecurityBits(c) < 112)) errors.push('weak-signature');
    if (leaf.notAfter - leaf.notBefore > s.maxValidityMs) errors.push('validity-too-long');
  }
  const o = opensslVerify({ leaf, sent: rest, anchors: s.anchors, at }).errors[0];
  const unknown = v.errors.includes('unknown-issuer') && v.path.length > 0;
  return { errors: unique(errors), path: v.path, complete: v.complete, openssl: o ? { code: o.code, depth: o.depth } : { code: 0, depth: 0 }, missingIssuer: unknown ? v.path[v.path.length - 1]!.issuer.key : undefined };
}

/**
 * The verdict on one chain as sent (wire order, leaf first; undefined where
 * a certificate did not parse) under a profile. `extra`: intermediates seen
 * elsewhere in the scan, used only when the chain sent cannot be completed.
 */
export function profileVerdict(sent: readonly (ParsedCertificate | undefined)[], at: number, s: ProfileSettings, extra?: IssuerPool): ProfileVerdict {
  const leaf = sent[0];
  if (!leaf) return { errors: ['malformed-certificate'], path: [], complete: false, openssl: { code: UNPARSABLE, depth: 0 } };
  const rest = sent.slice(1).filter((c): c is ParsedCertificate => !!c);
  const v = s.profile === 'openssl' ? opensslProfile(leaf, rest, at, s, extra) : searchProfile(sent, leaf, rest, at, s, extra);
  if (sent.some((c) => c === undefined)) v.errors = unique(['malformed-certificate', ...v.errors]);
  return v;
}
