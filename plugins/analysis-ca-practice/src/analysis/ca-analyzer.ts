import { PassiveExclusions, serverKey, type Analyzer, type PassiveExclusionRule, type ProbeRecord, type Report } from '@wildtls/core';
import type { Profile } from '../validate/profile-verdict.js';
import { peerNameOf } from '../validate/hostname.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import { buildTables, type Group } from './report-tables.js';
import { validityFigures, validityHeadline } from './validity-figures.js';
import type { VerdictSource } from './verdict-source.js';
import { PASSIVE_CHAINS_NOTE, PassiveChains } from './passive-chains.js';

export interface CaAnalyzerOptions {
  version: string;
  service: VerdictSource;
  /** The profile the service validates under (how host names are counted depends on it). */
  profile: Profile;
  /** Fixed validation time; default each record's startedAt. */
  at?: Date;
  checkHostnames: boolean;
  /** Passive records: rules leaving connections out of the passive tables (default: the study's, STUDY_PASSIVE_EXCLUSIONS). */
  passiveExclusions?: readonly PassiveExclusionRule[];
}

/** Verdicts computed on a worker and not back yet: at most this many before consume() waits. */
const MAX_IN_FLIGHT = 4096;

/**
 * Consumes records, validates each distinct chain once (through the
 * VerdictSource), and counts validity and CA-practice flags per server
 * (ip:port) within each service and port. A server counts once, by its first
 * record with a certificate chain; later records of the same server only
 * tell whether it served other chains. What is kept per server is a chain
 * id; the counts live per distinct verdict (a million servers, a hundred
 * thousand chains: a hundred thousand counters, not a million objects).
 * Records with status internal-error (our bugs) are left out and counted.
 * Passive records (one per captured connection) are counted apart, by
 * PassiveChains, with the same chain ids and verdicts.
 */
export class CaPracticeAnalyzer implements Analyzer {
  private records = 0;
  private internalErrors = 0;
  private readonly inFlight: Promise<void>[] = [];
  private readonly servers = new Set<number | string>();
  private readonly groups = new Map<string, Group>();
  /** Distinct chains seen (SHA-256 of the chain) and the first verdict of each. */
  private readonly chainIds = new Map<string, number>();
  private readonly entries: Array<ChainEntry | undefined> = [];
  private readonly passive = new PassiveChains();
  private readonly passiveExclusions: PassiveExclusions;
  private passiveRecords = 0;

  constructor(private readonly o: CaAnalyzerOptions) {
    this.passiveExclusions = new PassiveExclusions(o.passiveExclusions);
  }

  consume(record: ProbeRecord): void | Promise<void> {
    this.records++;
    if (record.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    if (record.source === 'passive') return this.consumePassive(record);
    const key = serverKey(record.ip, record.port);
    this.servers.add(key);
    const g = this.group(record);
    const chain = record.tls?.chain;
    if (!chain || chain.length === 0) {
      if (!g.counted.has(key)) g.noChain.add(key);
      return;
    }
    const { hash, chainId } = this.chainId(chain);
    const at = this.at(record);
    const first = g.counted.get(key);
    if (first !== undefined) {
      // The same server again: only whether it served another chain matters (and that chain's validity).
      if (first === chainId) return;
      let ids = g.multi.get(key);
      if (!ids) g.multi.set(key, (ids = new Set([first])));
      if (ids.has(chainId)) return;
      ids.add(chainId);
      if (this.entries[chainId]) return;
      return this.track(this.o.service.verdict(chain, at, hash), (e) => void (this.entries[chainId] ??= e));
    }
    g.noChain.delete(key);
    g.counted.set(key, chainId);
    const domain = this.o.checkHostnames ? record.domain : undefined;
    return this.track(this.o.service.verdict(chain, at, hash), (e) => {
      this.entries[chainId] ??= e;
      count(g, e, domain);
    });
  }

  private consumePassive(record: ProbeRecord): void | Promise<void> {
    this.passiveRecords++;
    if (this.passiveExclusions.exclude(record) !== undefined) return;
    const chain = record.tls?.chain;
    if (!chain || chain.length === 0) return this.passive.addChainless(record);
    const { hash, chainId } = this.chainId(chain);
    const count = this.passive.addChain(record);
    return this.track(this.o.service.verdict(chain, this.at(record), hash), (e) => {
      this.entries[chainId] ??= e;
      count(e);
    });
  }

  /** The id of a distinct chain (a new one for a chain not seen before). */
  private chainId(chain: readonly string[]): { hash: string; chainId: number } {
    const hash = ChainService.chainHash(chain);
    let id = this.chainIds.get(hash);
    if (id === undefined) {
      id = this.entries.length;
      this.chainIds.set(hash, id);
      this.entries.push(undefined);
    }
    return { hash, chainId: id };
  }

  private at(record: ProbeRecord): number {
    const parsedAt = Date.parse(record.startedAt);
    return this.o.at?.getTime() ?? (Number.isNaN(parsedAt) ? Date.now() : parsedAt);
  }

  private group(record: ProbeRecord): Group {
    const gk = `${record.service}|${record.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { service: record.service, port: record.port, counted: new Map(), noChain: new Set(), tally: new Map(), multi: new Map() };
      this.groups.set(gk, g);
    }
    return g;
  }

  private track(v: ChainEntry | Promise<ChainEntry>, then: (e: ChainEntry) => void): void | Promise<void> {
    if (!(v instanceof Promise)) return then(v);
    this.inFlight.push(v.then(then));
    // Backpressure: wait for the oldest verdict once too many are out.
    if (this.inFlight.length > MAX_IN_FLIGHT) return this.inFlight.shift();
  }

  async finish(): Promise<Report> {
    await Promise.all(this.inFlight.splice(0));
    // Entries are shared objects: settling updates them in place, and the tallies follow.
    await this.o.service.settle();
    const st = await this.o.service.stats();
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const hostnamesInClasses = this.o.profile !== 'openssl' && this.o.checkHostnames;
    const { tables, chains } = buildTables(groups, { profile: this.o.profile, hostnamesInClasses, checkHostnames: this.o.checkHostnames, entryOf: (id) => this.entries[id] });
    const notes = [
      `Profile: ${this.o.profile}${this.o.profile === 'openssl' ? " (the study's method: valid means `openssl verify -auth_level 1 -purpose sslserver` against the trust anchors says OK; SHA-1 counts as 80 bits, as OpenSSL 1.1 counted it; no host name check)" : ''}.`,
      `Trust anchors: ${st.anchorSource} (${st.anchors} certificates${st.rejectedAnchors ? `, ${st.rejectedAnchors} unparsable skipped` : ''}).`,
      `Validation time: ${this.o.at ? this.o.at.toISOString() : "each record's startedAt"}.`,
      "Per-server tables count each server (ip:port) once per service and port, by the first record that carried a certificate chain (completed handshake or not); shares are of those servers. The validity table's classes (Fig. 4 under the openssl profile) overlap (a chain can be expired and self-signed): its shares sum past 100%. Fig. 5 counts each server once, by OpenSSL's first error.",
      this.o.checkHostnames
        ? `Host names are checked only for records that carry a domain, against subjectAltName dNSName/iPAddress entries (no subject CN fallback)${hostnamesInClasses ? ', and counted as the class hostname-mismatch' : '; under the openssl profile they are not a validity class, see the hostnames table'}.`
        : 'Host name checks are off (checkHostnames: false).',
      `missing-intermediate: no path from the certificates sent, but one using an intermediate seen elsewhere in the scan (${st.intermediates} distinct intermediates seen).`,
      `Distinct chains validated once each: ${st.validations} validations${st.workers ? ` on ${st.workers} worker thread${st.workers > 1 ? 's' : ''}` : ''}.`,
      `Records left out: ${this.internalErrors} with status internal-error (a wildtls bug, not the server's doing).`,
    ];
    const all = this.passiveRecords > 0 ? [...tables, ...this.passive.tables(), this.passiveExclusions.table()] : tables;
    return {
      analysis: { id: 'ca-practice', version: this.o.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.servers.size, chains, validations: st.validations, internalErrors: this.internalErrors },
      tables: all,
      headline: validityHeadline(tables, this.o.profile),
      figures: validityFigures(all),
      notes: this.passiveRecords > 0 ? [...notes, PASSIVE_CHAINS_NOTE, this.passiveExclusions.note()] : notes,
    };
  }
}

function count(g: Group, e: ChainEntry, domain: string | undefined): void {
  let t = g.tally.get(e);
  if (!t) {
    t = { servers: 0, mismatched: 0, named: 0 };
    g.tally.set(e, t);
  }
  t.servers++;
  if (!domain) return;
  t.named++;
  if (!ChainService.hostMatches(e, peerNameOf(domain))) t.mismatched++;
}
