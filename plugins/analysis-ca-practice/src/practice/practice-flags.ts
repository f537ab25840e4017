import { EKU } from '../cert/extensions.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import type { ValidationError } from '../validate/errors.js';
import { checkPath, commonNamesInSan } from '../validate/path-checks.js';
import { verifiedBy } from '../validate/path-builder.js';
import { signatureDigest } from '../validate/signature.js';

export const PRACTICE_FLAGS = [
  'leaf-issued-by-root',
  'leaf-issued-by-any-root',
  'out-of-order',
  'root-sent',
  'duplicate-certificates',
  'unused-certificates',
  'weak-key',
  'sha1-signature',
  'md5-signature',
  'long-validity',
  'cn-not-in-san',
  'key-identifiers',
  'invalid-serial',
  'empty-name',
  'invalid-san',
  'leaf-is-ca',
  'not-v3',
  'duplicate-extension',
  'malformed-extension',
] as const;
export type PracticeFlag = (typeof PRACTICE_FLAGS)[number];

export const PRACTICE_FLAG_TITLES: Record<PracticeFlag, string> = {
  'leaf-issued-by-root': 'Leaf issued directly by a root of the trust store',
  'leaf-issued-by-any-root': 'Leaf issued directly by a root (trusted or not)',
  'out-of-order': 'Chain sent out of order',
  'root-sent': 'Root certificate sent',
  'duplicate-certificates': 'Duplicate certificates sent',
  'unused-certificates': 'Certificates sent that are not on the path',
  'weak-key': 'Weak key (RSA < 2048 bits, DSA)',
  'sha1-signature': 'SHA-1 signature',
  'md5-signature': 'MD5 (or MD2) signature',
  'long-validity': 'Leaf validity longer than the limit',
  'cn-not-in-san': 'Leaf CN not among its SANs',
  'key-identifiers': 'Authority/subject key identifier missing or malformed',
  'invalid-serial': 'Serial number not positive or over 20 octets',
  'empty-name': 'Empty issuer or subject name',
  'invalid-san': 'Malformed SAN entries (or SAN criticality)',
  'leaf-is-ca': 'Leaf marked as a CA',
  'not-v3': 'Certificate not X.509 v3',
  'duplicate-extension': 'An extension repeated',
  'malformed-extension': 'An extension that does not parse',
};

/**
 * Rules of the strict profile that OpenSSL does not enforce: flags, so that
 * the OpenSSL-equivalent verdict loses nothing of what strict reports.
 */
const PROFILE_RULE_FLAGS: Partial<Record<ValidationError, PracticeFlag>> = {
  'key-identifiers': 'key-identifiers',
  'invalid-serial': 'invalid-serial',
  'empty-name': 'empty-name',
  'invalid-san': 'invalid-san',
  'leaf-is-ca': 'leaf-is-ca',
  'unsupported-version': 'not-v3',
  'duplicate-extension': 'duplicate-extension',
  'malformed-extension': 'malformed-extension',
};

function isRoot(c: ParsedCertificate): boolean {
  return c.selfIssued && (c.version < 3 || !!c.ext.basicConstraints?.ca) && verifiedBy(c, c);
}

export interface FlagContext {
  maxValidityMs: number;
  /** The path ends at a trust anchor. */
  complete: boolean;
  /** Validation instant (the profile rules include validity-independent checks only, but the checker needs one). */
  at: number;
}

/**
 * CA-practice flags of one chain as sent (`sent`, wire order, unparsable
 * certificates left out) against the path the verdict is about (complete or
 * partial, leaf first).
 */
export function practiceFlags(sent: readonly ParsedCertificate[], path: readonly ParsedCertificate[], ctx: FlagContext): PracticeFlag[] {
  const flags = new Set<PracticeFlag>();
  const leaf = sent[0];
  if (!leaf) return [];
  if (path[1] && ctx.complete && path.length === 2) flags.add('leaf-issued-by-root');
  if (path[1] && isRoot(path[1])) flags.add('leaf-issued-by-any-root');
  const seen = new Set<string>();
  const positions: number[] = [];
  const pathIndex = new Map(path.map((c, i) => [c.fingerprint, i]));
  for (let i = 0; i < sent.length; i++) {
    const c = sent[i]!;
    if (seen.has(c.fingerprint)) {
      flags.add('duplicate-certificates');
      continue;
    }
    seen.add(c.fingerprint);
    if (i === 0) continue;
    const at = pathIndex.get(c.fingerprint);
    if (at === undefined) flags.add('unused-certificates');
    else positions.push(at);
    if (isRoot(c)) flags.add('root-sent');
  }
  if (positions.some((p, i) => i > 0 && p < positions[i - 1]!)) flags.add('out-of-order');
  const all = new Map<string, ParsedCertificate>();
  for (const c of [...sent, ...path]) all.set(c.fingerprint, c);
  for (const c of all.values()) {
    const kt = c.keyType();
    if (kt === 'dsa' || ((kt === 'rsa' || kt === 'rsa-pss') && (c.keyBits() ?? 0) < 2048)) flags.add('weak-key');
    // A root's self-signature is never checked by anyone: its digest does not matter.
    if (c.selfIssued && isRoot(c)) continue;
    const d = signatureDigest(c.sigAlg);
    if (d === 'sha1') flags.add('sha1-signature');
    if (d === 'md5' || d === 'md2') flags.add('md5-signature');
  }
  if (leaf.notAfter - leaf.notBefore > ctx.maxValidityMs) flags.add('long-validity');
  if (!commonNamesInSan(leaf)) flags.add('cn-not-in-san');
  if (path.length > 0) {
    for (const e of checkPath(path, ctx.complete, { at: ctx.at, eku: EKU.serverAuth, strictAnchors: false })) {
      const f = PROFILE_RULE_FLAGS[e];
      if (f) flags.add(f);
    }
  }
  return PRACTICE_FLAGS.filter((f) => flags.has(f));
}
