import { DigestIds, PassiveExclusions, ServerMap, ServerSet, serverKey, storeHasPassive, type Analyzer, type PassiveExclusionRule, type ProbeRecord, type Report, type StoreQuery } from '@wildtls/core';
import type { Profile } from '../validate/profile-verdict.js';
import { peerNameOf } from '../validate/hostname.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import { buildReport } from './build-report.js';
import { groupViews } from './group-views.js';
import type { Group } from './table-helpers.js';
import type { VerdictSource } from './verdict-source.js';
import { PassiveChains } from './passive-chains.js';
import type { PlainSettings } from './service-settings.js';
import { analyzeStore, type StoreRun } from './store-analysis.js';

export interface CaAnalyzerOptions {
  version: string;
  service: VerdictSource;
  /** The profile the service validates under (how host names are counted depends on it). */
  profile: Profile;
  /** Fixed validation time; default each record's startedAt. */
  at?: Date;
  checkHostnames: boolean;
  /** For analyzeStore: the validator's settings (they key the stored verdicts) and a validator that keeps no verdicts itself. */
  store?: { plain: PlainSettings; workers: number; source: () => VerdictSource };
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
  private readonly servers = new ServerSet();
  private readonly groups = new Map<string, Group>();
  /** Distinct chains seen (SHA-256 of the chain, 32 bytes in a typed-array table: a Map of base64 keys cost some 100 bytes of heap a chain) and, by id, the first verdict of each. */
  private readonly chainIds = new DigestIds();
  private readonly entries: Array<ChainEntry | undefined> = [];
  private readonly passive = new PassiveChains();
  private readonly passiveExclusions: PassiveExclusions;
  private passiveRecords = 0;

  /** What the last analyzeStore did (verdicts reused or validated, and how many validations): for tests and logs; undefined when the records were streamed. */
  storeRun: StoreRun | undefined;

  constructor(private readonly o: CaAnalyzerOptions) {
    this.passiveExclusions = new PassiveExclusions(o.passiveExclusions);
  }

  /**
   * The report of a whole result store, counted in SQL with verdicts stored per
   * distinct chain (store-analysis.ts). A store with passive records is streamed
   * through consume() instead, so the passive exclusion rules and tables are the stream's own.
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    if (await storeHasPassive(store)) {
      for await (const r of store.records()) await this.consume(r);
      return this.finish();
    }
    if (!this.o.store) throw new Error('ca-practice: analyzeStore needs the validator settings (CaAnalyzerOptions.store)');
    const { version, profile, at, checkHostnames } = this.o;
    const { report, run } = await analyzeStore(store, { version, profile, at, checkHostnames, ...this.o.store });
    this.storeRun = run;
    return report;
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
    const id = this.chainIds.id(hash);
    if (id === this.entries.length) this.entries.push(undefined);
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
      g = { service: record.service, port: record.port, counted: new ServerMap(), noChain: new ServerSet(), tally: new Map(), multi: new Map() };
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
    const stats = await this.o.service.stats();
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const { views, totals } = groupViews(groups, (id) => this.entries[id]);
    const { version, profile, at, checkHostnames } = this.o;
    const passiveExclusions = this.passiveRecords > 0 ? { table: this.passiveExclusions.table(), note: this.passiveExclusions.note() } : undefined;
    return buildReport({ version, profile, at, checkHostnames, groups: views, totals, passive: this.passive.views(), passiveExclusions, stats, records: this.records, servers: this.servers.size, internalErrors: this.internalErrors });
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
