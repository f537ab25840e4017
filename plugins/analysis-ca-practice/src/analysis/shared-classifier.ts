import { X509_V_TEXT } from '../openssl/verify-errors.js';
import { peerNameOf } from '../validate/hostname.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import type { VerdictSource } from './verdict-source.js';

/** The DI token under which ca-practice shares its validator with other analyses in the run (reuse resolves it). */
export const CHAIN_CLASSIFIER = Symbol.for('wildtls.ChainClassifier');

/** The validity classes the reuse figures split on (Fig. 6b and 6c). */
export type ChainClass = 'valid' | 'self-signed' | 'invalid';

/** One chain's verdict with every error, for a person (`wildtls show`). */
export interface ChainExplanation {
  /** The validity profile the verdict is under (openssl, strict, webpki). */
  profile: string;
  /** Every error under that profile (empty: valid); 'hostname-mismatch' is not among them (see hostname). */
  errors: string[];
  /** The first error `openssl verify` reports for the chain as sent: code (0: verified), depth and OpenSSL's text. */
  openssl: { code: number; depth: number; text: string };
  /** When a name was given: whether the leaf's subjectAltName covers it. */
  hostname?: { name: string; matches: boolean };
}

/** A chain's class as another analysis sees it: a chain as sent (DER, wire order) at a given time. */
export interface ChainClassifier {
  classify(chain: readonly Uint8Array[], at: Date): ChainClass | Promise<ChainClass>;
  /**
   * classify() for a caller that asks for each chain once and needs no later settling (reuse on a
   * store: its distinct chains, once each): the validator keeps nothing for it, so memory does not
   * grow with the distinct chains. Same class as classify().
   */
  classifyOnce?(chain: readonly Uint8Array[], at: Date): ChainClass | Promise<ChainClass>;
  /** The same verdict in full (every error, OpenSSL's first), for a chain as sent (base64 DER, wire order). */
  explain?(chain: readonly string[], at: Date, name?: string): ChainExplanation | Promise<ChainExplanation>;
  /**
   * The run's parameters, from an analysis that uses this classifier: they
   * matter when the classifier's own analysis is loaded (so it registered
   * the classifier) but not run (so it never got them). Throws a usage error
   * for unusable roots.
   */
  runParams?(params: { rootsFile?: string }): void;
  /** Send any queued work now (batched classifiers). */
  flush?(): void;
  /** Release threads or other resources; called only by whoever made the classifier. */
  close?(): void | Promise<void>;
}

/**
 * The reuse analysis's view of validation: 'valid', 'self-signed' or
 * 'invalid' for a chain at a time, answered by the same ChainService (and
 * cache) the ca-practice analyzer uses, so each distinct chain is validated
 * once for both.
 */
export class SharedClassifier implements ChainClassifier {
  private service: VerdictSource | undefined;
  private profile: string;
  private rootsFile: string | undefined;

  /**
   * @param fallback the validator when ca-practice's create() never hands
   *   one over (loaded but not run): built at the first chain, by when every
   *   analysis of the run has been created, with the run's roots file.
   * @param checkRoots throws a usage error for an unusable roots file.
   * @param fallbackProfile the profile the fallback validates under.
   */
  constructor(
    private readonly fallback: (rootsFile: string | undefined) => VerdictSource,
    private readonly checkRoots: (rootsFile: string) => void = () => {},
    fallbackProfile = 'openssl',
  ) {
    this.profile = fallbackProfile;
  }

  /** Answer with `service`, which validates under `profile`. */
  use(service: VerdictSource, profile?: string): void {
    this.service = service;
    if (profile) this.profile = profile;
  }

  runParams(params: { rootsFile?: string }): void {
    if (params.rootsFile) this.checkRoots(params.rootsFile);
    this.rootsFile ??= params.rootsFile;
  }

  classify(chain: readonly Uint8Array[], at: Date, keep = true): ChainClass | Promise<ChainClass> {
    this.service ??= this.fallback(this.rootsFile);
    const b64 = chain.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'));
    const e = this.service.verdict(b64, at.getTime(), undefined, keep);
    return e instanceof Promise ? e.then(chainClassOf) : chainClassOf(e);
  }

  classifyOnce(chain: readonly Uint8Array[], at: Date): ChainClass | Promise<ChainClass> {
    return this.classify(chain, at, false);
  }

  explain(chain: readonly string[], at: Date, name?: string): ChainExplanation | Promise<ChainExplanation> {
    this.service ??= this.fallback(this.rootsFile);
    const e = this.service.verdict(chain, at.getTime());
    const profile = this.profile;
    const full = (v: ChainEntry): ChainExplanation => ({
      profile,
      errors: [...v.errors],
      openssl: { ...v.openssl, text: X509_V_TEXT[v.openssl.code] ?? `X509_V_ERR ${v.openssl.code}` },
      ...(name ? { hostname: { name, matches: ChainService.hostMatches(v, peerNameOf(name)) } } : {}),
    });
    return e instanceof Promise ? e.then(full) : full(e);
  }
}

/** valid: no error; self-signed: the error list says so; anything else: invalid. */
export function chainClassOf(e: ChainEntry): ChainClass {
  if (e.errors.length === 0) return 'valid';
  return e.errors.includes('self-signed') ? 'self-signed' : 'invalid';
}
