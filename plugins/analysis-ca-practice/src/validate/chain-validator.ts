import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { classesOf, type ValidationError, type ValidityClass } from './errors.js';
import type { PeerName } from './hostname.js';
import type { IssuerPool } from './issuer-pool.js';
import { buildPaths, type BuildLimits } from './path-builder.js';
import { checkPath, timeErrors, type PathCheckOptions } from './path-checks.js';

export interface ValidateInput {
  /** Certificates as sent, wire order, leaf first; undefined where one did not parse. */
  sent: readonly (ParsedCertificate | undefined)[];
  at: number;
  peer?: PeerName;
  eku: string;
  keyUsage?: number;
  /** Intermediates seen elsewhere (the scan's cache): completes chains that miss one. */
  extra?: IssuerPool;
  maxIntermediates?: number;
}

export interface ChainVerdict {
  errors: ValidationError[];
  classes: ValidityClass[];
  /** The path the verdict is about: a complete one when found, else the longest partial one. */
  path: ParsedCertificate[];
  complete: boolean;
}

export interface ValidatorSettings {
  anchors: IssuerPool;
  strictAnchors: boolean;
  maxSignatureChecks: number;
  maxIntermediates: number;
}

/** Fewer errors first; among equals, the earlier path. */
function better(a: Set<ValidationError> | undefined, b: Set<ValidationError>): boolean {
  return !a || b.size < a.size;
}

/**
 * Validate one chain as sent: build paths from the leaf through the sent
 * certificates (and, only if none reaches an anchor, through the scan's other
 * intermediates), check each path fully and keep the one with the fewest
 * errors; with no path at all, explain why (self-signed, bad signature,
 * unknown issuer) and add the validity-period errors of what could be built.
 */
export function validateChain(input: ValidateInput, s: ValidatorSettings, sentPool: IssuerPool): ChainVerdict {
  const leaf = input.sent[0];
  if (!leaf) return { errors: ['malformed-certificate'], classes: ['other'], path: [], complete: false };
  const opts: PathCheckOptions = { at: input.at, peer: input.peer, eku: input.eku, keyUsage: input.keyUsage, strictAnchors: s.strictAnchors };
  const limits: BuildLimits = { maxIntermediates: input.maxIntermediates ?? s.maxIntermediates, maxSignatureChecks: s.maxSignatureChecks };

  const attempt = (pools: IssuerPool[]) => {
    let best: { path: ParsedCertificate[]; errors: Set<ValidationError> } | undefined;
    const outcome = buildPaths(leaf, s.anchors, pools, limits, (path) => {
      const errors = checkPath(path, true, opts);
      if (better(best?.errors, errors)) best = { path, errors };
      return errors.size === 0;
    });
    return { best, outcome };
  };

  let { best, outcome } = attempt([sentPool]);
  const errors = new Set<ValidationError>();
  if (!best && input.extra && input.extra.size > 0) {
    const second = attempt([sentPool, input.extra]);
    if (second.best) {
      best = second.best;
      errors.add('missing-intermediate');
    } else outcome = second.outcome.partial.length > outcome.partial.length ? second.outcome : outcome;
  }
  if (input.sent.some((c) => c === undefined)) errors.add('malformed-certificate');
  if (best) {
    for (const e of best.errors) errors.add(e);
    return { errors: [...errors], classes: classesOf(errors), path: best.path, complete: true };
  }
  // Without a path to an anchor, only the dates of what was built are reported besides the reason: CA and
  // profile rules (a self-signed leaf marked CA, say) would only restate that the chain goes nowhere.
  const partial = outcome.partial;
  timeErrors(partial, input.at, errors);
  // Self-signed as OpenSSL decides it (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT): issuer = subject and the key
  // identifiers, when both present, agree; the self-signature itself is not checked (it proves nothing, and
  // importing every self-signed leaf's key would double the cost of the commonest invalid chain).
  if (partial.length === 1 && leaf.selfIssued && selfKeyIds(leaf)) errors.add('self-signed');
  else if (outcome.limited) errors.add('path-building-limit');
  else if (outcome.badSignature) errors.add('bad-signature');
  else errors.add('unknown-issuer');
  return { errors: [...errors], classes: classesOf(errors), path: partial, complete: false };
}

function selfKeyIds(c: ParsedCertificate): boolean {
  const aki = c.ext.aki?.keyId;
  const ski = c.ext.ski?.id;
  return !aki || !ski || Buffer.from(aki).equals(Buffer.from(ski));
}
