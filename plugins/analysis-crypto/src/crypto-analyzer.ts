import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report } from '@wildtls/core';
import { ServerTally, serverKey } from '@wildtls/core';
import { PASSIVE_CRYPTO_NOTE, PassiveCrypto } from './passive-crypto.js';
import { CryptoCounts } from './crypto-counts.js';
import { CRYPTO_NOTES } from './crypto-notes.js';
import { cryptoFigures } from './crypto-figures.js';
import { cipherTable, curveTables, dhTables, forwardSecrecyTables, ocspTables, versionsTable, weakTable, type CountsRow } from './crypto-tables.js';
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
    const gk = `${r.service}\t${r.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { index: this.groups.size, service: r.service, port: r.port, c: new CryptoCounts() };
      this.groups.set(gk, g);
    }
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
        servers: this.servers.size,
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
