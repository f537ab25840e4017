import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { CertificateIds, ServerTally, serverKey, storeHasPassive } from '@wildtls/core';
import { tlsReached } from './host-state.js';
import { StartTlsCounts } from './starttls-counts.js';
import { STARTTLS_NOTES } from './starttls-notes.js';
import { starttlsHeadline } from './starttls-headline.js';
import { PASSIVE_NOTES, PassiveConnections } from './passive-connections.js';
import { certificateCounts, standIn, startTlsCountsFromStore } from './starttls-store.js';
import { funnelTable, tableI, tableIII, type CountsRow } from './starttls-tables.js';

interface Group extends CountsRow {
  port: number;
  mode: string;
  index: number;
}

export interface StartTlsAnalyzerOptions {
  version: string;
  /** Passive records: rules leaving connections out of the per-connection tables (default: the study's, STUDY_PASSIVE_EXCLUSIONS). */
  passiveExclusions?: readonly PassiveExclusionRule[];
}

/** Table I (hosts, TLS reached, certificates, noise), Table III (STARTTLS upgraded) and the funnel beyond them. */
export class StartTlsAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly all = new StartTlsCounts();
  private readonly servers = new ServerTally();
  private records = 0;
  private internalErrors = 0;
  /** Distinct certificates (by DER) as ids, off V8's heap: the unique counts are sets of these (issue 18). */
  private readonly certIds = new CertificateIds();
  private readonly passive: PassiveConnections;
  private passiveRecords = 0;
  /** Distinct servers when counted in SQL (analyzeStore), instead of this.servers. */
  private serverCount: number | undefined;

  constructor(private readonly opts: StartTlsAnalyzerOptions) {
    this.passive = new PassiveConnections(opts.passiveExclusions);
  }

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    // A captured connection: weighted by connection in tables of its own, never a scanned server.
    if (r.source === 'passive') {
      this.passiveRecords++;
      this.passive.add(r);
      return;
    }
    const g = this.group(r.service, r.port, r.mode);
    // Per server: a server seen in several records counts once, with its first record.
    if (!this.servers.add(serverKey(r.ip, r.port), g.index)) return;
    const chain = this.chainOf(r);
    g.c.add(r, chain);
    this.all.add(r, chain);
  }

  /**
   * A whole store: the same counters, filled from SQL's counts
   * (starttls-store.ts): each distinct combination of what the rules read
   * goes through StartTlsCounts.add once, weighted by its count. A store
   * with passive records is streamed through consume() instead, so the
   * passive exclusion rules and tables are the stream's own.
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    if (await storeHasPassive(store)) {
      for await (const r of store.records()) this.consume(r);
      return this.finish();
    }
    const c = await startTlsCountsFromStore(store);
    this.records = c.totals.records;
    this.internalErrors = c.totals.internal;
    this.serverCount = c.totals.servers;
    for (const g of c.groups) this.group(g.service, g.port, g.mode);
    const reached = new Set<string>();
    for (const x of c.shapes) {
      const r = standIn(x.shape);
      if (this.group(x.service, x.port, '').c.add(r, undefined, x.n)) reached.add(x.shape);
      this.all.add(r, undefined, x.n);
    }
    for (const x of await certificateCounts(store, [...reached])) {
      (x.service === null ? this.all : this.group(x.service, x.port!, '').c).setCertificates(x);
    }
    return this.finish();
  }

  private group(service: string, port: number, mode: string): Group {
    const gk = `${service}\t${port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service, port, mode, c: new StartTlsCounts() };
      this.groups.set(gk, g);
    }
    return g;
  }

  /** Certificate ids of the chain of a record that reached TLS (undefined for a non-certificate entry). */
  private chainOf(r: ProbeRecord): Array<number | undefined> | undefined {
    const chain: unknown = r.tls?.chain;
    if (!tlsReached(r.tls) || !Array.isArray(chain)) return undefined;
    return chain.map((c) => (typeof c === 'string' ? this.certIds.id(c) : undefined));
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const pooled: CountsRow = { service: 'all', port: null, mode: null, c: this.all };
    return {
      analysis: { id: 'starttls', version: this.opts.version },
      countingRule: 'per-server',
      // Hosts with the port open and noise hosts of the whole scan: the study reports its noise as a share of a scan.
      totals: { records: this.records, servers: this.serverCount ?? this.servers.size, hosts: this.all.hosts, noiseHosts: this.all.noise, internalErrors: this.internalErrors },
      tables: [tableI([...groups, pooled]), tableIII(groups), funnelTable(groups), ...(this.passiveRecords > 0 ? this.passive.tables() : [])],
      headline: starttlsHeadline(groups),
      notes: this.passiveRecords > 0 ? [...STARTTLS_NOTES, ...PASSIVE_NOTES, this.passive.note()] : STARTTLS_NOTES,
    };
  }
}
