import type { ParsedCertificate } from '../cert/parse-certificate.js';
import type { IssuerPool } from './issuer-pool.js';
import { verifySignature } from './signature.js';

export interface BuildLimits {
  /** Most intermediates between leaf and anchor. */
  maxIntermediates: number;
  /** Most signature checks for one chain (pathological chains and cycles stop here). */
  maxSignatureChecks: number;
}

export interface BuildOutcome {
  /** Complete paths (leaf first, anchor last), in the order found. */
  paths: ParsedCertificate[][];
  /** The longest path of verified signatures that did not reach an anchor. */
  partial: ParsedCertificate[];
  /** A certificate named as issuer was found but its key did not verify the signature. */
  badSignature: boolean;
  /** The search hit a limit before it was exhausted. */
  limited: boolean;
}

/** Decides, for one candidate path, whether to stop the search (a fully valid path was found). */
export type PathVisitor = (path: ParsedCertificate[]) => boolean;

const sigCache = new Map<string, boolean>();
const SIG_CACHE_MAX = 200_000;
/** Leaves' results, kept only briefly: the strict profile and the OpenSSL model check the same leaf in one validation. */
const recent = new Map<string, boolean>();
const RECENT_MAX = 256;

/** Signature results between certificates; cached for CA certificates, which recur across chains. */
export function verifiedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const key = child.fingerprint + issuer.fingerprint;
  const ca = !!child.ext.basicConstraints?.ca;
  const hit = (ca ? sigCache : recent).get(key);
  if (hit !== undefined) return hit;
  const ok = verifySignature(child, issuer);
  const cache = ca ? sigCache : recent;
  if (cache.size >= (ca ? SIG_CACHE_MAX : RECENT_MAX)) cache.clear();
  cache.set(key, ok);
  return ok;
}

function akiAllows(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const want = child.ext.aki?.keyId;
  const have = issuer.ext.ski?.id;
  return !want || !have || Buffer.from(want).equals(Buffer.from(have));
}

/**
 * Depth-first path building (RFC 4158 style, much simplified): from the leaf,
 * try every certificate whose subject is the current issuer name (trust
 * anchors first, then the certificates sent, then the extra pool), skipping
 * AKI/SKI mismatches and certificates already on the path (same certificate,
 * or same subject and key: cycles of cross-signed CAs). Each complete path goes
 * to `visit`; the search stops when it returns true or a limit is reached.
 */
export function buildPaths(
  leaf: ParsedCertificate,
  anchors: IssuerPool,
  pools: readonly IssuerPool[],
  limits: BuildLimits,
  visit: PathVisitor,
): BuildOutcome {
  const out: BuildOutcome = { paths: [], partial: [leaf], badSignature: false, limited: false };
  let checks = 0;
  let stop = false;
  const path: ParsedCertificate[] = [leaf];
  const onPath = new Set<string>([leaf.fingerprint, leaf.subject.key + leaf.spkiHash]);

  const step = (): void => {
    const cur = path[path.length - 1]!;
    if (anchors.has(cur.fingerprint)) {
      const complete = path.slice();
      out.paths.push(complete);
      if (visit(complete)) stop = true;
      return;
    }
    if (path.length > out.partial.length) out.partial = path.slice();
    // Leaf + intermediates + anchor: the next certificate may only be an anchor once the intermediates are used up.
    // Self-issued intermediates (key rollover) do not count against the depth, as for pathLen; a hard cap still bounds cycles.
    let intermediates = 0;
    for (let k = 1; k < path.length; k++) if (!path[k]!.selfIssued) intermediates++;
    const full = intermediates >= limits.maxIntermediates || path.length >= limits.maxIntermediates + 4;
    const sources = full ? [anchors] : [anchors, ...pools];
    const tried = new Set<string>();
    for (const src of sources) {
      for (const cand of src.issuersOf(cur)) {
        if (stop) return;
        if (tried.has(cand.fingerprint)) continue;
        tried.add(cand.fingerprint);
        const isAnchor = src === anchors;
        if (!isAnchor && (onPath.has(cand.fingerprint) || onPath.has(cand.subject.key + cand.spkiHash))) continue;
        if (isAnchor && onPath.has(cand.fingerprint) && path.length > 1) continue;
        if (!akiAllows(cur, cand)) continue;
        if (++checks > limits.maxSignatureChecks) {
          out.limited = true;
          stop = true;
          return;
        }
        if (!verifiedBy(cur, cand)) {
          out.badSignature = true;
          continue;
        }
        path.push(cand);
        onPath.add(cand.fingerprint);
        onPath.add(cand.subject.key + cand.spkiHash);
        step();
        path.pop();
        onPath.delete(cand.fingerprint);
        onPath.delete(cand.subject.key + cand.spkiHash);
      }
    }
  };
  step();
  return out;
}
