import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { ServerTally, serverKey, storeHasPassive } from '@wildtls/core';
import { PASSIVE_CRYPTO_NOTE, PassiveCrypto } from './passive-crypto.js';
import { CryptoCounts } from './crypto-counts.js';
import { CRYPTO_NOTES } from './crypto-notes.js';
import { cryptoFigures } from './crypto-figures.js';
import { cipherTable, curveTables, dhTables, forwardSecrecyTables, ocspTables, versionsTable, weakTable, type CountsRow } from './crypto-tables.js';
import { cryptoCountsFromStore, stapleRecord, standInTls } from './crypto-store.js';
import { judgeStapledOcsp } from './ocsp-response.js';
import { classifySuite } from './suite-class.js';

interface Group extends CountsRow {
  port: number;
  index: number;
}

export interface CryptoAnalyzerOptions {
  version: string;
  /** Passive records: rules leaving connections out of the per-connection tables (default: the study's, STUDY_PASSIVE_EXCLUSIONS). */
  passiveExclusions?: readonly PassiveExclusionRule[];
}

/**
 * TLS reached: a ServerHello arrived, so the record says which version and
 * suite the server chose, whether our engine then completed the handshake or
 * not (observe-only, a suite it does not complete, a failure later on).
 */
export function tlsReached(tls: ProbeRecord['tls']): tls is NonNullable<ProbeRecord['tls']> {
  if (typeof tls !== 'object' || tls === null) return false;
  return tls.completed === true || (tls.version !== undefined && tls.cipherSuite !== undefined);
}

/** The server's whole first flight was read: the handshake completed, or stopped after that flight with its certificates. */
function firstFlightSeen(tls: NonNullable<ProbeRecord['tls']>): boolean {
  if (tls.completed === true) return true;
  return typeof tls.notCompletedReason === 'string' && Array.isArray(tls.chain) && tls.chain.length > 0;
}

export class CryptoAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly all = new CryptoCounts();
  /** Every ip:port seen, and in which service-and-port groups it reached TLS (one map: a server is almost always in one). */
  private readonly servers = new ServerTally();
  private records = 0;
  private internalErrors = 0;
  /** Distinct servers when counted in SQL (analyzeStore), instead of this.servers. */
  private serverCount: number | undefined;

  constructor(private readonly opts: CryptoAnalyzerOptions) {
    this.passive = new PassiveCrypto(opts.passiveExclusions);
  }

  private readonly passive: PassiveCrypto;

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    const key = serverKey(r.ip, r.port);
    const tls = r.tls;
    // A captured connection: its own per-connection tables, never a scanned server.
    if ((r as { source?: unknown }).source === 'passive') {
      if (this.passive.take(r) && tlsReached(tls)) this.passive.add(r, tls, classifySuite(tls));
      return;
    }
    if (!tlsReached(tls)) {
      this.servers.add(key);
      return;
    }
    const g = this.group(r.service, r.port);
    const c = classifySuite(tls);
    const flight = firstFlightSeen(tls);
    const stapled = flight && tls.ocspStapled === true;
    // Every record is a connection; the pooled row is the sum of the rows.
    g.c.addConnection(c, flight, stapled);
    this.all.addConnection(c, flight, stapled);
    // Per server: the first record of an ip:port (within its service and port) with TLS reached counts.
    if (!this.servers.add(key, g.index)) return;
    g.c.addServer(tls, c);
    this.all.addServer(tls, c);
    if (!flight) return;
    const verdict = stapled ? this.judge(r, tls) : undefined;
    g.c.addFlight(stapled, verdict);
    this.all.addFlight(stapled, verdict);
  }

  /**
   * A whole store: the same counters, filled from SQL's counts
   * (crypto-store.ts): each distinct combination of what the rules read goes
   * through classifySuite and CryptoCounts once, weighted by its count;
   * stapled responses are judged one by one. A store with passive records is
   * streamed through consume() instead, so the passive tables and exclusion
   * rules are the stream's own.
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    if (await storeHasPassive(store)) {
      for await (const r of store.records()) this.consume(r);
      return this.finish();
    }
    const x = await cryptoCountsFromStore(store);
    this.records = x.totals.records;
    this.internalErrors = x.totals.internal;
    this.serverCount = x.totals.servers;
    for (const g of x.groups) this.group(g.service, g.port);
    for (const row of x.connections) {
      const tls = standInTls(row);
      const c = classifySuite(tls);
      const flight = firstFlightSeen(tls);
      const stapled = flight && tls.ocspStapled === true;
      this.group(row.service, row.port).c.addConnection(c, flight, stapled, row.n);
      this.all.addConnection(c, flight, stapled, row.n);
    }
    for (const row of x.servers) {
      const tls = standInTls(row);
      const c = classifySuite(tls);
      const g = this.group(row.service, row.port);
      g.c.addServer(tls, c, row.n);
      this.all.addServer(tls, c, row.n);
      if (!firstFlightSeen(tls)) continue;
      // The verdicts of stapled responses come below, one per server.
      const stapled = tls.ocspStapled === true;
      g.c.addFlight(stapled, undefined, row.n);
      this.all.addFlight(stapled, undefined, row.n);
    }
    for (const row of x.staples) {
      const r = stapleRecord(row);
      const verdict = this.judge(r, r.tls!);
      this.group(row.service, row.port).c.addVerdict(verdict);
      this.all.addVerdict(verdict);
    }
    return this.finish();
  }

  private group(service: string, port: number): Group {
    const gk = `${service}\t${port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service, port, c: new CryptoCounts() };
      this.groups.set(gk, g);
    }
    return g;
  }

  private judge(r: ProbeRecord, tls: NonNullable<ProbeRecord['tls']>) {
    const chain: unknown = tls.chain;
    const leaf = Array.isArray(chain) && typeof chain[0] === 'string' ? chain[0] : undefined;
    const at = new Date(r.startedAt);
    return typeof tls.ocspResponse === 'string' ? judgeStapledOcsp(tls.ocspResponse, leaf, Number.isNaN(at.getTime()) ? new Date() : at) : { kind: 'unparsable' as const };
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const pooled: CountsRow = { service: 'all', port: null, c: this.all };
    const withPooled = [...groups, pooled];
    return {
      analysis: { id: 'crypto', version: this.opts.version },
      countingRule: 'per-server',
      totals: {
        records: this.records,
        servers: this.serverCount ?? this.servers.size,
        handshakes: this.all.servers,
        completed: this.all.completed,
        connections: this.all.connections,
        internalErrors: this.internalErrors,
      },
      tables: [
        versionsTable(withPooled),
        cipherTable(withPooled),
        ...forwardSecrecyTables(withPooled, pooled),
        ...curveTables(withPooled, pooled),
        ...dhTables(withPooled, pooled),
        ...ocspTables(withPooled, pooled),
        weakTable(withPooled),
        ...(this.passive.seen > 0 ? this.passive.tables() : []),
      ],
      figures: cryptoFigures(),
      notes: this.passive.seen > 0 ? [...CRYPTO_NOTES, PASSIVE_CRYPTO_NOTE, this.passive.exclusions.note()] : CRYPTO_NOTES,
    };
  }
}
