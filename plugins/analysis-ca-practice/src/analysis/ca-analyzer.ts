import type { Analyzer, ProbeRecord, Report } from '@wildtls/core';
import { peerNameOf } from '../validate/hostname.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import { buildTables, type Group } from './report-tables.js';
import { serverKey } from '@wildtls/core';
import type { VerdictSource } from './verdict-source.js';

export interface CaAnalyzerOptions {
  version: string;
  service: VerdictSource;
  /** Fixed validation time; default each record's startedAt. */
  at?: Date;
  checkHostnames: boolean;
}

/** Verdicts computed on a worker and not back yet: at most this many before consume() waits. */
const MAX_IN_FLIGHT = 4096;

/**
 * Consumes records, validates each distinct chain once (through the
 * VerdictSource), and counts validity classes and CA-practice flags per
 * server (ip:port) within each service and port. A server counts once, by its
 * first record with a certificate chain; what is kept per server is only its
 * key, the counts live per distinct verdict (a million servers, a hundred
 * thousand chains: a hundred thousand counters, not a million objects).
 */
export class CaPracticeAnalyzer implements Analyzer {
  private records = 0;
  private readonly inFlight: Promise<void>[] = [];
  private readonly servers = new Set<number | string>();
  private readonly groups = new Map<string, Group>();

  constructor(private readonly o: CaAnalyzerOptions) {}

  consume(record: ProbeRecord): void | Promise<void> {
    this.records++;
    const key = serverKey(record.ip, record.port);
    this.servers.add(key);
    const gk = `${record.service}|${record.port}`;
    let g = this.groups.get(gk);
    if (!g) {
      g = { service: record.service, port: record.port, counted: new Set(), noChain: new Set(), tally: new Map() };
      this.groups.set(gk, g);
    }
    if (g.counted.has(key)) return;
    const chain = record.tls?.chain;
    if (!chain || chain.length === 0) {
      g.noChain.add(key);
      return;
    }
    g.noChain.delete(key);
    g.counted.add(key);
    const parsedAt = Date.parse(record.startedAt);
    const at = this.o.at?.getTime() ?? (Number.isNaN(parsedAt) ? Date.now() : parsedAt);
    const v = this.o.service.verdict(chain, at);
    const domain = this.o.checkHostnames ? record.domain : undefined;
    const group = g;
    if (!(v instanceof Promise)) {
      count(group, v, domain);
      return;
    }
    this.inFlight.push(v.then((e) => count(group, e, domain)));
    // Backpressure: wait for the oldest verdict once too many are out.
    if (this.inFlight.length > MAX_IN_FLIGHT) return this.inFlight.shift();
  }

  async finish(): Promise<Report> {
    await Promise.all(this.inFlight.splice(0));
    // Entries are shared objects: settling updates them in place, and the tallies follow.
    await this.o.service.settle();
    const st = await this.o.service.stats();
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const { tables, chains } = buildTables(groups);
    const notes = [
      `Trust anchors: ${st.anchorSource} (${st.anchors} certificates${st.rejectedAnchors ? `, ${st.rejectedAnchors} unparsable skipped` : ''}).`,
      `Validation time: ${this.o.at ? this.o.at.toISOString() : "each record's startedAt"}.`,
      'Per-server tables count each server (ip:port) once per service and port, by the first record that carried a certificate chain; class shares are of those servers and overlap (a chain can be expired and self-signed), except in the primary-class table.',
      this.o.checkHostnames
        ? 'Host names are checked only for records that carry a domain, against subjectAltName dNSName/iPAddress entries (no subject CN fallback).'
        : 'Host name checks are off (checkHostnames: false).',
      `missing-intermediate: no path from the certificates sent, but one using an intermediate seen elsewhere in the scan (${st.intermediates} distinct intermediates seen).`,
      `Distinct chains validated once each: ${st.validations} validations${st.workers ? ` on ${st.workers} worker thread${st.workers > 1 ? 's' : ''}` : ''}.`,
    ];
    return {
      analysis: { id: 'ca-practice', version: this.o.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.servers.size, chains, validations: st.validations },
      tables,
      notes,
    };
  }
}

function count(g: Group, e: ChainEntry, domain: string | undefined): void {
  let t = g.tally.get(e);
  if (!t) {
    t = { servers: 0, mismatched: 0 };
    g.tally.set(e, t);
  }
  t.servers++;
  if (domain && !ChainService.hostMatches(e, peerNameOf(domain))) t.mismatched++;
}
