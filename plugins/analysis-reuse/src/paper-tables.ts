import type { ReportCell, ReportTable } from '@wildtls/core';
import { share } from '@wildtls/core';
import { ALL, bucketed, itemsIn, overOne, type DistributionMode, type ItemHists, type RankedCert, type ReuseAggregates } from './reuse-aggregates.js';

/**
 * The tables that reproduce the study: Table VI (most reused certificates
 * per protocol, and overall), Fig. 6a-c and 7 (the likelihood that a
 * certificate or key is used on X IPs: a complementary CDF per port), and the
 * share of reused certificates that are valid. Built from aggregates
 * (reuse-aggregates.ts), whichever path counted them.
 */

/** A line of a figure: one service and port (its group index), or every port pooled (service 'all', port null, group -1). */
interface Line {
  service: string;
  port: number | null;
  group: number;
}

function lines(input: ReuseAggregates): Line[] {
  const order = [...input.groups.keys()].sort((a, b) => {
    const ga = input.groups[a]!;
    const gb = input.groups[b]!;
    return input.services[ga.service]!.localeCompare(input.services[gb.service]!) || ga.port - gb.port;
  });
  return [...order.map((g) => ({ service: input.services[input.groups[g]!.service]!, port: input.groups[g]!.port, group: g })), { service: 'all', port: null, group: ALL }];
}

/** For each line and each X seen: how many items are on X or more IPs, and their share of the line's items. */
function ccdf(id: string, ref: { ref: string; order?: number }, title: string, what: string, rule: 'per-certificate' | 'per-key', ls: Line[], items: ItemHists, mode: DistributionMode): ReportTable {
  const rows: ReportTable['rows'] = [];
  for (const line of ls) {
    const exact = items.byLine.get(line.group);
    if (!exact) continue;
    const hist = bucketed(exact, mode);
    const n = itemsIn(hist);
    let atLeast = n;
    for (const [ips, count] of [...hist.entries()].sort((a, b) => a[0] - b[0])) {
      rows.push({ service: line.service, port: line.port, ips, items: atLeast, share: atLeast / n });
      atLeast -= count;
    }
  }
  return {
    id,
    title,
    paper: ref,
    countingRule: rule,
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'ips', title: 'X (distinct IPs)', type: 'integer' },
      { key: 'items', title: `${what} on X or more IPs`, type: 'integer' },
      { key: 'share', title: `Share of the port's ${what.toLowerCase()} on X or more IPs`, type: 'share' },
    ],
    rows,
  };
}

function mostReused(input: ReuseAggregates): ReportTable[] {
  const { services } = input;
  const order = [...services.keys()].sort((a, b) => services[a]!.localeCompare(services[b]!));
  const cells = (c: RankedCert): Record<string, ReportCell> => ({ ips: c.ips, subject: c.subject ?? null, class: c.cls, fingerprint: c.fingerprint });
  return [
    {
      id: 'most-reused',
      title: 'Table VI: most reused certificates per protocol, by distinct IPs (whole subject DN, validity class)',
      paper: { ref: 'Table VI', order: 1 },
      countingRule: 'per-certificate',
      columns: [
        { key: 'service', title: 'Service', type: 'string' },
        { key: 'rank', title: 'Rank', type: 'integer' },
        { key: 'ips', title: 'Distinct IPs', type: 'integer' },
        { key: 'subject', title: 'Subject (RFC 4514)', type: 'string' },
        { key: 'class', title: 'Class', type: 'string' },
        { key: 'fingerprint', title: 'SHA-256', type: 'string' },
      ],
      rows: order.flatMap((s) => (input.mostReused.get(s) ?? []).map((c, i) => ({ service: services[s]!, rank: i + 1, ...cells(c) }))),
    },
    {
      id: 'most-reused-all',
      title: 'Table VI, text: most reused certificates over all protocols, by distinct IPs',
      paper: { ref: 'Table VI', order: 2 },
      countingRule: 'per-certificate',
      columns: [
        { key: 'rank', title: 'Rank', type: 'integer' },
        { key: 'ips', title: 'Distinct IPs', type: 'integer' },
        { key: 'subject', title: 'Subject (RFC 4514)', type: 'string' },
        { key: 'class', title: 'Class', type: 'string' },
        { key: 'services', title: 'Services', type: 'list' },
        { key: 'fingerprint', title: 'SHA-256', type: 'string' },
      ],
      rows: input.mostReusedAll.map((c, i) => ({ rank: i + 1, ...cells(c), services: c.services })),
    },
  ];
}

function reusedValid(ls: Line[], input: ReuseAggregates): ReportTable {
  return {
    id: 'reused-valid',
    title: 'Fig. 6, text: share of the reused certificates (on more than one IP) that are valid, per port and over the whole scan',
    paper: { ref: 'Fig. 6', order: 4 },
    countingRule: 'per-certificate',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'certificates', title: 'Certificates', type: 'integer' },
      { key: 'reused', title: 'On more than one IP', type: 'integer' },
      { key: 'reusedValid', title: 'Of those, valid', type: 'integer' },
      { key: 'share', title: 'Share of reused certificates that are valid', type: 'share' },
    ],
    rows: ls.flatMap((line) => {
      const all = input.certs.byLine.get(line.group);
      if (!all) return [];
      const reused = overOne(all);
      const valid = overOne(input.validCerts.byLine.get(line.group));
      return [{ service: line.service, port: line.port, certificates: itemsIn(all), reused, reusedValid: valid, share: share(valid, reused) }];
    }),
  };
}

export function buildPaperTables(input: ReuseAggregates, mode: DistributionMode): ReportTable[] {
  const ls = lines(input);
  const fig = (sub: string, what: string) => `Fig. ${sub}: likelihood that a ${what} is used on X IPs, per port (share of the port's ${what}s on X or more IPs; "all" pools every port)`;
  return [
    ...mostReused(input),
    ccdf('ccdf-certificates-all', { ref: 'Fig. 6', order: 1 }, `${fig('6a', 'certificate')}, all certificates`, 'Certificates', 'per-certificate', ls, input.certs, mode),
    ccdf('ccdf-certificates-valid', { ref: 'Fig. 6', order: 2 }, `${fig('6b', 'certificate')}, valid certificates only`, 'Certificates', 'per-certificate', ls, input.validCerts, mode),
    ccdf('ccdf-certificates-self-signed', { ref: 'Fig. 6', order: 3 }, `${fig('6c', 'certificate')}, self-signed certificates only`, 'Certificates', 'per-certificate', ls, input.selfSignedCerts, mode),
    reusedValid(ls, input),
    ccdf('ccdf-keys', { ref: 'Fig. 7' }, fig('7', 'public key'), 'Keys', 'per-key', ls, input.keys, mode),
  ];
}
