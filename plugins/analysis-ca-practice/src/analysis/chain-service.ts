import { createHash, hash } from 'node:crypto';
import { StringSpill } from '@wildtls/core';
import { parseCertificate, type ParsedCertificate } from '../cert/parse-certificate.js';
import { practiceFlags, type PracticeFlag } from '../practice/practice-flags.js';
import type { TrustStore } from '../roots/trust-store.js';
import { classesOf, type ValidationError, type ValidityClass } from '../validate/errors.js';
import { profileVerdict, type Profile } from '../validate/profile-verdict.js';
import { matchesDnsName, type PeerName } from '../validate/hostname.js';
import { ipBytes, ipText } from '../validate/ip-address.js';
import { IssuerPool } from '../validate/issuer-pool.js';
import { RetryRefs } from './retry-refs.js';
import { recheckPaged, type ChainsByHash, type RecheckItem, type SettledChange, type SourceStats, type VerdictSource } from './verdict-source.js';

export interface ServiceSettings {
  store: TrustStore;
  /** Which rules make a chain valid; default 'openssl' (what `openssl verify` says, as the study decided validity). */
  profile?: Profile;
  strictAnchors: boolean;
  maxIntermediates: number;
  maxSignatureChecks: number;
  maxValidityDays: number;
  /** Complete chains with intermediates seen in other chains of the scan. */
  useScanIntermediates: boolean;
}

/** The validator's verdict on one distinct chain, without the host name (checked per record). */
export interface ChainEntry {
  /** Id of the distinct chain (SHA-256 over its certificates as sent). */
  hash: string;
  /** Every error under the service's profile; empty when the chain is valid. 'self-signed' marks a self-signed leaf. */
  errors: ValidationError[];
  /** The first error `openssl verify -auth_level 1 -purpose sslserver` reports for the chain as sent (code 0: verified), at its chain depth. */
  openssl: { code: number; depth: number };
  flags: PracticeFlag[];
  /** The verdict holds for validation times in [from, until): between the validity boundaries of the certificates involved. */
  from: number;
  until: number;
  /** The leaf's SAN dNSName entries and iPAddress entries (canonical text), kept for per-record host name checks. */
  leafDns: string[];
  leafIps: string[];
  /**
   * For chains no path completed: the chain as sent, to retry once the scan has seen more intermediates;
   * once the validator keeps the verdict, the chain is in its StringSpill (on disk) under `spilled` instead.
   */
  retry?: { chain?: readonly string[]; spilled?: number; at: number; poolSize: number; issuerKey: string };
}

const MAX_CA_CACHE = 500_000;

/**
 * Validates each distinct chain once and remembers the verdict: certificates
 * are parsed once each (CA certificates kept by SHA-256 fingerprint, a leaf
 * once per distinct chain), and CA certificates seen anywhere in the scan
 * become the pool that tells a missing intermediate from an unknown issuer.
 */
export class ChainService implements VerdictSource {
  readonly scanPool = new IssuerPool();
  private readonly caCache = new Map<string, ParsedCertificate | null>();
  private readonly chains = new Map<string, ChainEntry | ChainEntry[]>();
  /** compactRetry: the verdicts settle() may change, without their chains. */
  private readonly retryRefs = new RetryRefs();
  /** The chains of kept verdicts settle() may change (the retry state of the other modes). */
  private readonly spill = new StringSpill('chains');
  distinctChains = 0;
  validations = 0;

  /**
   * @param retainAll keep every verdict (false on a worker thread, whose caller caches them).
   * @param compactRetry with retainAll false: keep no verdict at all, and for those settle() may
   *   change only their hash, time, interval and missing issuer (not the chain, some kilobytes each);
   *   settle() then needs the chains back (the store path reads them from its verdict table).
   */
  constructor(readonly settings: ServiceSettings, private readonly retainAll = true, private readonly compactRetry = false) {}

  static chainHash(chain: readonly string[]): string {
    // One-shot hash of the joined text: base64 has no commas, so the join is unambiguous.
    return hash('sha256', chain.length === 1 ? chain[0]! : chain.join(','), 'base64');
  }

  /** The verdict for a chain (base64 DER, wire order) at time `at` (epoch ms); `keep` false: nothing kept for it (see VerdictSource.verdict). */
  verdict(chain: readonly string[], at: number, key = ChainService.chainHash(chain), keep = true): ChainEntry {
    const hit = this.chains.get(key);
    const list = hit === undefined ? undefined : Array.isArray(hit) ? hit : [hit];
    if (list) {
      for (const e of list) if (at >= e.from && at < e.until) return e;
    } else this.distinctChains++;
    const e = this.validate(key, chain, at);
    // A worker's caller keeps the verdicts; the worker keeps only those settle() may still change.
    if (!keep || (!this.retainAll && !e.retry)) return e;
    if (this.compactRetry && !this.retainAll) {
      const r = e.retry!;
      this.retryRefs.push({ hash: key, at, from: e.from, until: e.until, errors: e.errors.join(), poolSize: r.poolSize, issuerKey: r.issuerKey });
      return e;
    }
    const retry = e.retry;
    if (retry?.chain) e.retry = { spilled: this.spill.put(retry.chain), at: retry.at, poolSize: retry.poolSize, issuerKey: retry.issuerKey };
    if (!list) this.chains.set(key, e);
    else this.chains.set(key, [...list, e]);
    return e;
  }

  /** Host name check for a record: does the chain's leaf name `peer`? */
  static hostMatches(e: ChainEntry, peer: PeerName): boolean {
    if (peer.kind === 'ip') {
      const b = ipBytes(peer.value);
      return !!b && e.leafIps.includes(ipText(b));
    }
    return e.leafDns.some((d) => matchesDnsName(d, peer.value));
  }

  private parse(b64: string, index: number): ParsedCertificate | undefined {
    const der = Buffer.from(b64, 'base64');
    const fp = createHash('sha256').update(der).digest('hex');
    const cached = this.caCache.get(fp);
    if (cached !== undefined) return cached ?? undefined;
    let c: ParsedCertificate | null;
    try {
      c = parseCertificate(der, fp);
    } catch {
      c = null;
    }
    // Intermediates recur across thousands of chains; leaves mostly do not.
    if (index > 0 || c?.ext.basicConstraints?.ca) {
      if (this.caCache.size >= MAX_CA_CACHE) this.caCache.clear();
      this.caCache.set(fp, c);
    }
    if (c && index > 0 && c.ext.basicConstraints?.ca && !c.selfIssued && this.settings.useScanIntermediates) this.scanPool.add(c);
    return c ?? undefined;
  }

  private validate(hash: string, chain: readonly string[], at: number): ChainEntry {
    this.validations++;
    const sent = chain.map((b, i) => this.parse(b, i));
    const parsed = sent.filter((c): c is ParsedCertificate => !!c);
    const s = this.settings;
    const maxValidityMs = s.maxValidityDays * 86_400_000;
    const v = profileVerdict(
      sent,
      at,
      { profile: s.profile ?? 'openssl', anchors: s.store.anchors, strictAnchors: s.strictAnchors, maxIntermediates: s.maxIntermediates, maxSignatureChecks: s.maxSignatureChecks, maxValidityMs },
      s.useScanIntermediates ? this.scanPool : undefined,
    );
    let from = -Infinity;
    let until = Infinity;
    for (const c of [...parsed, ...v.path]) {
      // notAfter itself is expired to OpenSSL (whole seconds), the second after it to the strict profile.
      for (const b of [c.notBefore, c.notAfter, c.notAfter + 1000]) {
        if (b <= at && b > from) from = b;
        if (b > at && b < until) until = b;
      }
    }
    const leaf = sent[0];
    const entry: ChainEntry = {
      hash,
      errors: v.errors,
      openssl: v.openssl,
      flags: leaf ? practiceFlags(parsed, v.path, { maxValidityMs, complete: v.complete, at }) : [],
      from,
      until,
      leafDns: leaf?.ext.san?.names.dns ?? [],
      leafIps: leaf?.ext.san?.names.ip.filter((b) => b.length === 4 || b.length === 16).map(ipText) ?? [],
    };
    if (v.missingIssuer !== undefined) entry.retry = { chain, at, poolSize: this.scanPool.size, issuerKey: v.missingIssuer };
    return entry;
  }

  /**
   * Chains that found no issuer when first seen are retried once the whole
   * scan is in, when an intermediate with the missing issuer's name has been
   * seen since (the result no longer depends on record order).
   */
  recheck(entry: ChainEntry): ChainEntry {
    const r = entry.retry;
    if (!r || this.scanPool.size === r.poolSize || !this.scanPool.hasSubject(r.issuerKey)) return entry;
    const fresh = this.validate(entry.hash, r.chain ?? this.spill.get(r.spilled!), r.at);
    Object.assign(entry, fresh);
    entry.retry = undefined;
    return entry;
  }

  /** Recheck every chain that found no issuer; returns the entries that changed, with the interval they had. */
  settleSync(): SettledChange[] {
    const changed: SettledChange[] = [];
    for (const v of this.chains.values()) {
      for (const e of Array.isArray(v) ? v : [v]) {
        if (!e.retry) continue;
        const { from, until } = e;
        const before = e.errors.join();
        this.recheck(e);
        if (e.errors.join() !== before) changed.push({ from, until, entry: e });
      }
    }
    return changed;
  }

  async settle(chains?: ChainsByHash): Promise<SettledChange[]> {
    const changed = this.settleSync();
    changed.push(...(await recheckPaged(this.takeRetryCandidates(), chains, (items) => this.recheckItems(items))));
    return changed;
  }

  /** compactRetry: the kept verdicts to recheck now (as recheck(): the scan has since shown an intermediate with the missing issuer's name), taken out of the retry state. */
  takeRetryCandidates(): RecheckItem[] {
    const size = this.scanPool.size;
    return this.retryRefs.takeWhere((poolSize, issuerKey) => poolSize !== size && this.scanPool.hasSubject(issuerKey));
  }

  /** Rechecks taken candidates, each with its chain: the verdicts whose errors changed. */
  recheckItems(items: readonly RecheckItem[]): SettledChange[] {
    const changed: SettledChange[] = [];
    for (const it of items) {
      if (!it.chain) throw new Error(`ca-practice: no chain for the recheck of chain ${it.hash}`);
      const fresh = this.validate(it.hash, it.chain, it.at);
      fresh.retry = undefined;
      if (fresh.errors.join() !== it.errors) changed.push({ from: it.from, until: it.until, entry: fresh });
    }
    return changed;
  }

  /** Intermediates seen so far, as base64 DER (to share between workers). */
  intermediates(): string[] {
    return this.scanPool.all().map((c) => c.der.toString('base64'));
  }

  addIntermediates(list: readonly string[]): void {
    for (const b of list) this.parse(b, 1);
  }

  async stats(): Promise<SourceStats> {
    const st = this.settings.store;
    return { validations: this.validations, intermediates: this.scanPool.size, anchors: st.anchors.size, anchorSource: st.source, rejectedAnchors: st.rejected, workers: 0 };
  }

  async close(): Promise<void> {
    this.spill.close();
  }

  static classes(e: Pick<ChainEntry, 'errors'>, hostMismatch: boolean): ValidityClass[] {
    return classesOf(hostMismatch ? [...e.errors, 'hostname-mismatch'] : e.errors);
  }
}
