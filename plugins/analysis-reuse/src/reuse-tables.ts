import type { ReportTable } from '@wildtls/core';
import type { ChainClass } from '@wildtls/analysis-ca-practice';
import type { IpCounts } from './ip-pairs.js';

/** Distinct IPs a certificate or key was seen on, per group (service and port), per service index and overall. */
export type Occurrences = IpCounts;

export interface CertView extends Occurrences {
  fingerprint: string;
  cls: ChainClass;
  /** The subject DN (RFC 4514), when the certificate could be read. */
  subject: string | undefined;
  cn: string | undefined;
  o: string | undefined;
}

export interface KeyView extends Occurrences {
  fingerprint: string;
  /** Distinct certificates carrying this key. */
  certificates: number;
}

/** exact: one row per distinct X; log2: rows for X = 1, 2, 3-4, 5-8, 9-16, ... */
export type DistributionMode = 'exact' | 'log2';

export interface ReuseInput {
  services: string[];
  certs: CertView[];
  keys: KeyView[];
  /** Session-ticket keys, by key name. */
  ticketKeys: Occurrences[];
  topInvalid: number;
  distribution: DistributionMode;
}

/** The row an X falls in: [from, to]. */
export function bucketOf(x: number, mode: DistributionMode): [number, number] {
  if (mode === 'exact' || x <= 2) return [x, x];
  const to = 2 ** Math.ceil(Math.log2(x));
  return [to / 2 + 1, to];
}

const ALL = -1;

function ipsIn(o: Occurrences, service: number): number {
  return service === ALL ? o.all : (o.byService.get(service) ?? 0);
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
function distribution(id: string, title: string, rule: 'per-certificate' | 'per-key', services: string[], items: Occurrences[], mode: DistributionMode): ReportTable {
  const rows: ReportTable['rows'] = [];
  for (const svc of serviceOrder(services)) {
    const hist = new Map<number, number>();
    let n = 0;
    for (const it of items) {
      const x = ipsIn(it, svc);
      if (x === 0) continue;
      const from = bucketOf(x, mode)[0];
      hist.set(from, (hist.get(from) ?? 0) + 1);
      n++;
    }
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

export function buildReuseTables(input: ReuseInput): ReportTable[] {
  const { services, certs, keys } = input;
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
      let n = 0, valid = 0, self = 0, reused = 0;
      for (const c of certs) {
        const x = ipsIn(c, svc);
        if (!x) continue;
        n++;
        if (c.cls === 'valid') valid++;
        else if (c.cls === 'self-signed') self++;
        if (x > 1) reused++;
      }
      let k = 0, unique = 0, multi = 0;
      for (const key of keys) {
        const x = ipsIn(key, svc);
        if (!x) continue;
        k++;
        if (x === 1) unique++;
        if (key.certificates > 1) multi++;
      }
      return {
        service: name(services, svc), certificates: n, valid, selfSigned: self, invalid: n - valid - self,
        reused: n ? reused / n : null, keys: k, keysUnique: k ? unique / k : null, keysInSeveralCerts: multi,
      };
    }),
  };
  const topInvalid = certs
    .filter((c) => c.cls !== 'valid')
    .sort((a, b) => b.all - a.all || a.fingerprint.localeCompare(b.fingerprint))
    .slice(0, input.topInvalid);
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
    rows: topInvalid.map((c, i) => {
      return {
        rank: i + 1,
        ips: c.all,
        cn: c.cn ?? null,
        o: c.o ?? null,
        class: c.cls,
        services: [...c.byService.keys()].map((s) => services[s]!).sort(),
        fingerprint: c.fingerprint,
      };
    }),
  };
  return [
    summary,
    distribution('certificates-all', 'Certificates per service on exactly X IPs, all certificates: counts and CDF (beyond the study; Fig. 6a is ccdf-certificates-all)', 'per-certificate', services, certs, input.distribution),
    distribution('certificates-valid', 'Certificates per service on exactly X IPs, valid only: counts and CDF (beyond the study; Fig. 6b is ccdf-certificates-valid)', 'per-certificate', services, certs.filter((c) => c.cls === 'valid'), input.distribution),
    distribution('certificates-self-signed', 'Certificates per service on exactly X IPs, self-signed only: counts and CDF (beyond the study; Fig. 6c is ccdf-certificates-self-signed)', 'per-certificate', services, certs.filter((c) => c.cls === 'self-signed'), input.distribution),
    distribution('keys', 'Public keys per service on exactly X IPs: counts and CDF (beyond the study; Fig. 7 is ccdf-keys)', 'per-key', services, keys, input.distribution),
    invalidTable,
    distribution('ticket-keys', 'Session-ticket keys: occurs on X IPs (beyond the study)', 'per-key', services, input.ticketKeys, input.distribution),
  ];
}
