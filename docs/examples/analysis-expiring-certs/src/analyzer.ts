import { X509Certificate } from 'node:crypto';
import type { Analyzer, ProbeRecord, Report } from '@wildtls/core';

export interface ExpiringCertsSettings {
  version: string;
  /** Only count these services (empty: all). */
  services: string[];
  /** The window in days after the scan time. */
  days: number;
  /** `wildtls analyze --at`: evaluate at this instant instead of each record's scan time. */
  at?: Date;
}

/** Where a certificate's notAfter falls relative to the scan time. */
export type Expiry = 'expired' | 'expiring' | 'valid' | 'unparsable';

const DAY_MS = 86_400_000;

/**
 * expired: notAfter before the scan time; expiring: notAfter within `days`
 * days after it (inclusive); valid: later; unparsable: not a DER certificate.
 */
export function classify(leafBase64: string, at: Date, days: number): { expiry: Expiry; notAfter?: Date } {
  let notAfter: Date;
  try {
    notAfter = new Date(new X509Certificate(Buffer.from(leafBase64, 'base64')).validTo);
  } catch {
    return { expiry: 'unparsable' };
  }
  if (Number.isNaN(notAfter.getTime())) return { expiry: 'unparsable' };
  const left = notAfter.getTime() - at.getTime();
  if (left < 0) return { expiry: 'expired', notAfter };
  return { expiry: left <= days * DAY_MS ? 'expiring' : 'valid', notAfter };
}

interface Group {
  servers: number;
  withCertificate: number;
  expiring: number;
  expired: number;
  unparsable: number;
}

interface Hit {
  service: string;
  ip: string;
  port: number;
  notAfter: string;
  daysLeft: number;
}

/**
 * Counting rule: per server. A server is one (ip, port, service); its first
 * record counts and later ones are ignored. Its certificate is the first one
 * of the chain it sent (the end-host certificate), judged at the record's scan
 * time (startedAt) unless --at gives another instant.
 */
export class ExpiringCertsAnalyzer implements Analyzer {
  private readonly groups = new Map<string, Group>();
  private readonly seen = new Set<string>();
  private readonly hits: Hit[] = [];
  private records = 0;

  constructor(private readonly settings: ExpiringCertsSettings) {}

  consume(record: ProbeRecord): void {
    this.records++;
    if (this.settings.services.length && !this.settings.services.includes(record.service)) return;
    const server = `${record.ip}|${record.port}|${record.service}`;
    if (this.seen.has(server)) return;
    this.seen.add(server);
    let g = this.groups.get(record.service);
    if (!g) this.groups.set(record.service, (g = { servers: 0, withCertificate: 0, expiring: 0, expired: 0, unparsable: 0 }));
    g.servers++;
    const leaf = record.tls?.chain?.[0];
    if (!leaf) return;
    g.withCertificate++;
    const at = this.settings.at ?? new Date(record.startedAt);
    const { expiry, notAfter } = classify(leaf, at, this.settings.days);
    if (expiry === 'unparsable') g.unparsable++;
    if (expiry === 'expired') g.expired++;
    if (expiry === 'expiring') {
      g.expiring++;
      this.hits.push({ service: record.service, ip: record.ip, port: record.port, notAfter: notAfter!.toISOString(), daysLeft: Math.floor((notAfter!.getTime() - at.getTime()) / DAY_MS) });
    }
  }

  finish(): Report {
    const services = [...this.groups.keys()].sort();
    const hits = [...this.hits].sort((a, b) => a.daysLeft - b.daysLeft || a.service.localeCompare(b.service) || a.ip.localeCompare(b.ip) || a.port - b.port);
    return {
      analysis: { id: 'expiring-certs', version: this.settings.version },
      countingRule: 'per-server',
      totals: { records: this.records, servers: this.seen.size },
      tables: [
        {
          id: 'by-service',
          title: `End-host certificates expiring within ${this.settings.days} days of the scan, per service`,
          columns: [
            { key: 'service', title: 'Service', type: 'string' },
            { key: 'servers', title: 'Servers', type: 'integer' },
            { key: 'withCertificate', title: 'With certificate', type: 'integer' },
            { key: 'expiring', title: `Expiring ≤ ${this.settings.days} d`, type: 'integer' },
            { key: 'expiringShare', title: 'Expiring (of with certificate)', type: 'share' },
            { key: 'expired', title: 'Already expired', type: 'integer' },
            { key: 'unparsable', title: 'Unparsable', type: 'integer' },
          ],
          rows: services.map((service) => {
            const g = this.groups.get(service)!;
            return {
              service,
              servers: g.servers,
              withCertificate: g.withCertificate,
              expiring: g.expiring,
              expiringShare: g.withCertificate ? g.expiring / g.withCertificate : null,
              expired: g.expired,
              unparsable: g.unparsable,
            };
          }),
        },
        {
          id: 'expiring-servers',
          title: 'Servers whose certificate expires soon, soonest first',
          columns: [
            { key: 'service', title: 'Service', type: 'string' },
            { key: 'ip', title: 'Address', type: 'string' },
            { key: 'port', title: 'Port', type: 'integer' },
            { key: 'notAfter', title: 'Not after', type: 'string' },
            { key: 'daysLeft', title: 'Days left', type: 'integer' },
          ],
          rows: hits.map((h) => ({ ...h })),
        },
      ],
      notes: [
        'A server is one (ip, port, service); its first record counts.',
        `"Expiring": notAfter between the scan time and ${this.settings.days} days after it; "already expired" ones are counted apart.`,
      ],
    };
  }
}
