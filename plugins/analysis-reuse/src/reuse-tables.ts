import type { ReportTable } from '@wildtls/core';
import type { ChainClass } from '@wildtls/analysis-ca-practice';
import type { IpCounts } from './ip-pairs.js';
import { ALL, bucketOf, bucketed, itemsIn, overOne, type DistributionMode, type ItemHists, type ReuseAggregates } from './reuse-aggregates.js';

export { bucketOf, type DistributionMode } from './reuse-aggregates.js';

/** Distinct IPs a certificate or key was seen on, per group (service and port), per service index and overall. */
export type Occurrences = IpCounts;

export interface CertView extends Occurrences {
  fingerprint: string;
  cls: ChainClass;
  /** The subject DN (RFC 4514), when the certificate could be read. */
  subject: string | undefined;
  cn: string | undefined;
  o: string | undefined;
  /** subject, cn and o when these are left undefined until a ranking shows the certificate (the stream path keeps them on disk). */
  named?: () => Pick<CertView, 'subject' | 'cn' | 'o'>;
}

export interface KeyView extends Occurrences {
  fingerprint: string;
  /** Distinct certificates carrying this key. */
  certificates: number;
}

const DIST_COLUMNS = [
  { key: 'service', title: 'Service', type: 'string' as const },
  { key: 'ips', title: 'Distinct IPs', type: 'integer' as const },
  { key: 'ipsTo', title: 'to', type: 'integer' as const },
  { key: 'count', title: 'Count', type: 'integer' as const },
  { key: 'share', title: 'Share', type: 'share' as const },
  { key: 'cumulative', title: 'Cumulative share', type: 'share' as const },
];

/** "An item occurs on exactly X IPs": one row per (service, X), with the share and the running share (a CDF; beyond the study, whose figures are per port and complementary). */
function distribution(id: string, title: string, rule: 'per-certificate' | 'per-key', services: string[], items: ItemHists, mode: DistributionMode): ReportTable {
  const rows: ReportTable['rows'] = [];
  for (const svc of serviceOrder(services)) {
    const exact = items.byService.get(svc);
    if (!exact) continue;
    const hist = bucketed(exact, mode);
    const n = itemsIn(hist);
    let cum = 0;
    for (const [ips, count] of [...hist.entries()].sort((a, b) => a[0] - b[0])) {
      cum += count;
      rows.push({ service: name(services, svc), ips, ipsTo: bucketOf(ips, mode)[1], count, share: count / n, cumulative: cum / n });
    }
  }
  return { id, title, countingRule: rule, columns: DIST_COLUMNS, rows };
}

/** Services by name, then "all". */
function serviceOrder(services: string[]): number[] {
  return [...services.keys()].sort((a, b) => services[a]!.localeCompare(services[b]!)).concat(ALL);
}

function name(services: string[], i: number): string {
  return i === ALL ? 'all' : services[i]!;
}

export function buildReuseTables(input: ReuseAggregates, mode: DistributionMode): ReportTable[] {
  const { services } = input;
  const summary: ReportTable = {
    id: 'summary',
    title: 'Certificates and keys per service (beyond the study)',
    countingRule: 'per-certificate',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'certificates', title: 'Certificates', type: 'integer' },
      { key: 'valid', title: 'Valid', type: 'integer' },
      { key: 'selfSigned', title: 'Self-signed', type: 'integer' },
      { key: 'invalid', title: 'Other invalid', type: 'integer' },
      { key: 'reused', title: 'Certs on >1 IP', type: 'share' },
      { key: 'keys', title: 'Keys', type: 'integer' },
      { key: 'keysUnique', title: 'Keys unique to one IP', type: 'share' },
      { key: 'keysInSeveralCerts', title: 'Keys in >1 certificate', type: 'integer' },
    ],
    rows: serviceOrder(services).map((svc) => {
      const certs = input.certs.byService.get(svc);
      const n = itemsIn(certs);
      const valid = itemsIn(input.validCerts.byService.get(svc));
      const self = itemsIn(input.selfSignedCerts.byService.get(svc));
      const reused = overOne(certs);
      const keys = input.keys.byService.get(svc);
      const k = itemsIn(keys);
      const unique = keys?.get(1) ?? 0;
      return {
        service: name(services, svc), certificates: n, valid, selfSigned: self, invalid: n - valid - self,
        reused: n ? reused / n : null, keys: k, keysUnique: k ? unique / k : null, keysInSeveralCerts: input.keysInSeveralCerts.get(svc) ?? 0,
      };
    }),
  };
  const invalidTable: ReportTable = {
    id: 'top-invalid',
    title: 'Most reused certificates that are not valid, self-signed included (beyond the study)',
    countingRule: 'per-certificate',
    columns: [
      { key: 'rank', title: 'Rank', type: 'integer' },
      { key: 'ips', title: 'Distinct IPs', type: 'integer' },
      { key: 'cn', title: 'Subject CN', type: 'string' },
      { key: 'o', title: 'Subject O', type: 'string' },
      { key: 'class', title: 'Class', type: 'string' },
      { key: 'services', title: 'Services', type: 'list' },
      { key: 'fingerprint', title: 'SHA-256', type: 'string' },
    ],
    rows: input.topInvalid.map((c, i) => ({ rank: i + 1, ips: c.ips, cn: c.cn ?? null, o: c.o ?? null, class: c.cls, services: c.services, fingerprint: c.fingerprint })),
  };
  return [
    summary,
    distribution('certificates-all', 'Certificates per service on exactly X IPs, all certificates: counts and CDF (beyond the study; Fig. 6a is ccdf-certificates-all)', 'per-certificate', services, input.certs, mode),
    distribution('certificates-valid', 'Certificates per service on exactly X IPs, valid only: counts and CDF (beyond the study; Fig. 6b is ccdf-certificates-valid)', 'per-certificate', services, input.validCerts, mode),
    distribution('certificates-self-signed', 'Certificates per service on exactly X IPs, self-signed only: counts and CDF (beyond the study; Fig. 6c is ccdf-certificates-self-signed)', 'per-certificate', services, input.selfSignedCerts, mode),
    distribution('keys', 'Public keys per service on exactly X IPs: counts and CDF (beyond the study; Fig. 7 is ccdf-keys)', 'per-key', services, input.keys, mode),
    invalidTable,
    distribution('ticket-keys', 'Session-ticket keys: occurs on X IPs (beyond the study)', 'per-key', services, input.ticketKeys, mode),
  ];
}
