import type { PassiveExclusionRule, ProbeRecord, ReportTable } from '@wildtls/core';
import { PassiveExclusions } from '@wildtls/core';
import { CryptoCounts } from './crypto-counts.js';
import { cipherTable, versionsTable, type CountsRow } from './crypto-tables.js';
import type { SuiteClass } from './suite-class.js';

/**
 * Passive records (`source: "passive"`), one per connection, where the study
 * weighted by connection: Table IV's observed versions and Fig. 3's cipher
 * categories. Each connection with TLS reached is one unit, counted with the
 * same counters and table builders as the per-server tables, relabelled.
 */
export class PassiveCrypto {
  private readonly groups = new Map<string, CountsRow>();
  private readonly all = new CryptoCounts();
  /** The exclusion rules (core's; the study's by default), with how many connections each left out. */
  readonly exclusions: PassiveExclusions;
  /** Passive records seen, excluded ones included. */
  seen = 0;

  constructor(rules?: readonly PassiveExclusionRule[]) {
    this.exclusions = new PassiveExclusions(rules);
  }

  /** Counts a passive record; false when an exclusion rule leaves it out. */
  take(r: ProbeRecord): boolean {
    this.seen++;
    return this.exclusions.exclude(r) === undefined;
  }

  add(r: ProbeRecord, tls: NonNullable<ProbeRecord['tls']>, c: SuiteClass): void {
    const k = `${r.service}\t${r.port}`;
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, (g = { service: r.service, port: r.port, c: new CryptoCounts() }));
    g.c.addServer(tls, c);
    this.all.addServer(tls, c);
  }

  tables(): ReportTable[] {
    const rows = [...this.groups.values()].sort((a, b) => a.service.localeCompare(b.service) || (a.port ?? 0) - (b.port ?? 0));
    const withPooled = [...rows, { service: 'all', port: null, c: this.all }];
    return [
      this.exclusions.table(),
      perConnection(versionsTable(withPooled), 'passive-versions', 'Table IV (observed, passive): negotiated SSL/TLS versions, share of the connections where TLS was reached'),
      perConnection(cipherTable(withPooled), 'passive-cipher-categories', 'Fig. 3 (by connections, passive): negotiated cipher suites by key exchange and bulk cipher, share of the connections where TLS was reached'),
    ];
  }
}

/** A per-server table's twin counted per connection: its unit column renamed (servers -> connections). */
function perConnection(t: ReportTable, id: string, title: string): ReportTable {
  return {
    ...t,
    id,
    title,
    countingRule: 'per-connection',
    columns: t.columns.map((c) => (c.key === 'servers' ? { ...c, key: 'connections', title: c.title.replace('Servers', 'Connections') } : c)),
    rows: t.rows.map(({ servers, ...rest }) => ({ ...rest, connections: servers ?? null })),
  };
}

export const PASSIVE_CRYPTO_NOTE = 'passive-versions and passive-cipher-categories (Table IV observed, Fig. 3 by connections): passive records (source "passive") with TLS reached, each connection one unit; they never enter the per-server tables.';
