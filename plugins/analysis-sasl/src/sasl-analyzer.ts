import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { PassiveExclusions, ServerTally, serverKey, storeHasPassive } from '@wildtls/core';
import { SaslTally } from './sasl-tally.js';
import { saslHeadline } from './sasl-headline.js';
import { CLIENT_MECHANISMS_NOTE, ClientMechanisms } from './client-mechanisms.js';
import { buildSaslTables, saslNotes, type SaslGroup } from './sasl-tables.js';
import { saslCountsFromStore, type PhaseRow } from './sasl-store.js';

/** Mechanisms that send the password in the clear (inside TLS or not). */
export const DEFAULT_PLAINTEXT_MECHANISMS = ['PLAIN', 'LOGIN'];

export interface SaslAnalyzerOptions {
  version: string;
  plaintextMechanisms?: string[];
  /** Most frequent combinations listed per service and port (0 = all). */
  topCombinations?: number;
  /** Passive records: rules leaving connections out of every count (default: the study's, STUDY_PASSIVE_EXCLUSIONS). */
  passiveExclusions?: readonly PassiveExclusionRule[];
}

function isImap(r: ProbeRecord): boolean {
  return r.service.toLowerCase().startsWith('imap') || String(r.protocol ?? '').toLowerCase() === 'imap';
}

/** A record seen on the wire rather than by a probe of ours: one connection (`wildtls passive`). */
function isPassive(r: ProbeRecord): boolean {
  return (r as { source?: unknown }).source === 'passive';
}

/**
 * SASL mechanisms as the study counts them (Tables VIII-XIII):
 *  - after TLS (Tables VIII-XI): per server, among the servers that reported
 *    capabilities after TLS, from `sasl.afterTls` only; a server that offers
 *    no mechanism after TLS has no SASL, whatever it offered in the clear;
 *  - before STARTTLS (Tables XII-XIII): per server, among ALL servers that
 *    listed capabilities before STARTTLS; and per connection for passive
 *    records (`source: 'passive'`, one record per connection).
 */
export class SaslAnalyzer implements Analyzer {
  private readonly groups = new Map<string, SaslGroup>();
  /** Every server seen (totals), and the first record of each active server per group. */
  private readonly servers = new ServerTally();
  /** The first passive record of each server per group. */
  private readonly passiveServers = new ServerTally();
  private readonly plaintext: Set<string>;
  private readonly clientMechanisms: ClientMechanisms;
  private readonly passiveExclusions: PassiveExclusions;
  private records = 0;
  private internalErrors = 0;
  private passiveRecords = 0;
  /** Servers counted after TLS / before STARTTLS whose mechanism list the record cut at its cap (core's MAX_SASL_MECHANISMS). */
  private truncatedAfter = 0;
  private truncatedBefore = 0;
  /** Distinct servers when counted in SQL (analyzeStore), instead of this.servers. */
  private serverCount: number | undefined;

  constructor(private readonly opts: SaslAnalyzerOptions) {
    this.plaintext = new Set((opts.plaintextMechanisms ?? DEFAULT_PLAINTEXT_MECHANISMS).map((m) => m.trim().toUpperCase()));
    this.clientMechanisms = new ClientMechanisms(this.plaintext);
    this.passiveExclusions = new PassiveExclusions(opts.passiveExclusions);
  }

  consume(r: ProbeRecord): void {
    this.records++;
    // Our own bug, not a measurement: left out of every count.
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    const key = serverKey(r.ip, r.port);
    const passive = isPassive(r);
    if (passive) {
      this.passiveRecords++;
      if (this.passiveExclusions.exclude(r) !== undefined) return;
      this.clientMechanisms.add(r);
    }
    if (!r.capabilities && !r.sasl) {
      this.servers.add(key);
      return;
    }
    const g = this.group(r.service, r.port);
    const capsBefore = strings(r.capabilities?.beforeTls);
    const saslBefore = strings(r.sasl?.beforeTls);
    // A phase counts when the server answered the capability command in it (for implicit TLS: after TLS only).
    const hasBefore = capsBefore !== undefined || saslBefore !== undefined;
    const before = normalize(saslBefore);
    const imapCaps = isImap(r) ? capsBefore : undefined;
    if (passive) {
      this.servers.add(key);
      if (!hasBefore) return;
      g.passiveConnections.add(before, imapCaps);
      if (this.passiveServers.add(key, g.index)) g.passiveServers.add(before, imapCaps);
      return;
    }
    // Per server: the first record of an ip:port (within a service and port) that reports capabilities or SASL counts.
    if (!this.servers.add(key, g.index)) return;
    // A list cut at the record's cap counts with the mechanisms it kept; the cut itself is counted in the totals.
    if (hasBefore) {
      g.before.add(before, imapCaps);
      if (truncated(r.sasl, 'beforeTls')) this.truncatedBefore++;
    }
    const saslAfter = strings(r.sasl?.afterTls);
    if (strings(r.capabilities?.afterTls) !== undefined || saslAfter !== undefined) {
      g.after.add(normalize(saslAfter), undefined);
      if (truncated(r.sasl, 'afterTls')) this.truncatedAfter++;
    }
  }

  finish(): Report {
    const groups = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    const sum = (pick: (g: SaslGroup) => SaslTally, field: 'population' | 'withSasl') => groups.reduce((a, g) => a + pick(g)[field], 0);
    const withPassive = this.passiveRecords > 0;
    return {
      analysis: { id: 'sasl', version: this.opts.version },
      countingRule: 'per-server',
      totals: {
        records: this.records,
        servers: this.serverCount ?? this.servers.size,
        afterTlsServers: sum((g) => g.after, 'population'),
        withSaslAfterTls: sum((g) => g.after, 'withSasl'),
        beforeTlsServers: sum((g) => g.before, 'population'),
        withSaslBeforeTls: sum((g) => g.before, 'withSasl'),
        saslTruncatedAfterTls: this.truncatedAfter,
        saslTruncatedBeforeTls: this.truncatedBefore,
        passiveRecords: this.passiveRecords,
        internalErrors: this.internalErrors,
      },
      tables: [
        ...buildSaslTables(groups, { topCombinations: this.opts.topCombinations ?? 0, withPassive, newTally: () => new SaslTally(this.plaintext) }),
        ...(withPassive ? [this.clientMechanisms.table(), this.passiveExclusions.table()] : []),
      ],
      headline: saslHeadline(groups),
      notes: [...saslNotes([...this.plaintext], withPassive), ...(withPassive ? [CLIENT_MECHANISMS_NOTE, this.passiveExclusions.note()] : [])],
    };
  }

  /**
   * A whole store: the same tallies, filled from SQL's counts (sasl-store.ts)
   * with each distinct combination added once, weighted by its count. A store
   * with passive records is streamed through consume() instead, so the passive
   * exclusion rules and tables are the stream's own.
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    if (await storeHasPassive(store)) {
      for await (const r of store.records()) this.consume(r);
      return this.finish();
    }
    const c = await saslCountsFromStore(store);
    this.records = c.totals.records;
    this.internalErrors = c.totals.internal;
    this.serverCount = c.totals.servers;
    for (const g of c.groups) this.group(g.service, g.port);
    const imapCaps = (p: PhaseRow) => (p.imap_caps ? (p.login_disabled ? ['LOGINDISABLED'] : []) : undefined);
    const before = (p: PhaseRow) => normalize(strings(p.sasl_before === null ? undefined : JSON.parse(p.sasl_before)));
    for (const p of c.active) {
      const g = this.group(p.service, p.port);
      if (p.has_before) {
        g.before.add(before(p), imapCaps(p), p.n);
        if (p.cut_before) this.truncatedBefore += p.n;
      }
      if (p.has_after) {
        g.after.add(normalize(strings(p.sasl_after === null ? undefined : JSON.parse(p.sasl_after))), undefined, p.n);
        if (p.cut_after) this.truncatedAfter += p.n;
      }
    }
    return this.finish();
  }

  private group(service: string, port: number): SaslGroup {
    const gk = `${service}\t${port}`;
    let g = this.groups.get(gk);
    if (!g) {
      const t = () => new SaslTally(this.plaintext);
      g = { index: this.groups.size, service, port, after: t(), before: t(), passiveServers: t(), passiveConnections: t() };
      this.groups.set(gk, g);
    }
    return g;
  }
}

/** The strings of a list field; undefined when the field is absent or not a list. */
function strings(list: unknown): string[] | undefined {
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Whether the record says it cut this phase's list at its cap (`sasl.truncated.<phase>`: how many the server listed). */
function truncated(lists: ProbeRecord['sasl'], phase: 'beforeTls' | 'afterTls'): boolean {
  const n: unknown = lists?.truncated?.[phase];
  return typeof n === 'number' && n > 0;
}

/** Upper-cased, trimmed, empty names dropped; server order kept. */
function normalize(list: string[] | undefined): string[] {
  return (list ?? []).map((m) => m.trim().toUpperCase()).filter((m) => m.length > 0);
}
