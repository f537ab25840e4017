import type { Analyzer, ProbeRecord, Report } from '@wildtls/core';

export interface __PASCAL__Settings {
  version: string;
  /** Only count these services (empty: all). */
  services: string[];
  /** `wildtls analyze --at`: evaluate time-dependent properties at this instant instead of each record's scan time. */
  at?: Date;
}

/** What the analysis keeps per service. FILL IN: the counters your question needs. */
interface Group {
  servers: number;
  tlsCompleted: number;
}

/**
 * __NAME__. Counting rule: per server. A server is one (ip, port, service);
 * when the results hold it more than once (several scans, retries), its first
 * record counts and later ones are ignored. State the rule of every number you
 * report: readers compare them with other measurements.
 *
 * As scaffolded it counts, per service, the servers probed and those whose TLS
 * handshake completed. Replace the parts marked FILL IN.
 */
export class __PASCAL__Analyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly seen = new Set<string>();
  private records = 0;

  constructor(private readonly settings: __PASCAL__Settings) {}

  consume(record: ProbeRecord): void {
    this.records++;
    if (this.settings.services.length && !this.settings.services.includes(record.service)) return;
    const server = `${record.ip}|${record.port}|${record.service}`;
    if (this.seen.has(server)) return;
    this.seen.add(server);
    let g = this.groups.get(record.service);
    if (!g) this.groups.set(record.service, (g = { servers: 0, tlsCompleted: 0 }));
    // FILL IN: look at the record (record.tls, record.starttls, record.sasl, ...) and count.
    g.servers++;
    if (record.tls?.completed) g.tlsCompleted++;
  }

  finish(): Report {
    const services = [...this.groups.keys()].sort();
    return {
      analysis: { id: '__NAME__', version: this.settings.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.seen.size },
      // FILL IN: the tables of your report. The CLI renders any report from this
      // shape alone (table, JSON, CSV, Markdown): never format text here.
      tables: [
        {
          id: 'by-service',
          title: 'Servers with a completed TLS handshake, per service',
          columns: [
            { key: 'service', title: 'Service', type: 'string' },
            { key: 'servers', title: 'Servers', type: 'integer' },
            { key: 'tlsCompleted', title: 'TLS completed', type: 'integer' },
            { key: 'share', title: 'Share', type: 'share' },
          ],
          rows: services.map((service) => {
            const g = this.groups.get(service)!;
            return { service, servers: g.servers, tlsCompleted: g.tlsCompleted, share: g.servers ? g.tlsCompleted / g.servers : null };
          }),
        },
      ],
      notes: ['A server is one (ip, port, service); its first record counts.'],
    };
  }
}
