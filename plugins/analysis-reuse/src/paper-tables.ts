import type { ReportCell, ReportTable } from '@wildtls/core';
import { share } from '@wildtls/core';
import type { IpCounts } from './ip-pairs.js';
import { bucketOf, type CertView, type DistributionMode, type KeyView } from './reuse-tables.js';

/**
 * The tables that reproduce the study: Table VI (most reused certificates
 * per protocol, and overall), Fig. 6a-c and 7 (the likelihood that a
 * certificate or key is used on X IPs: a complementary CDF per port), and the
 * share of reused certificates that are valid.
 */
export interface PaperInput {
  services: string[];
  groups: ReadonlyArray<{ service: number; port: number }>;
  certs: CertView[];
  keys: KeyView[];
  /** Rows of Table VI per protocol, and of the overall ranking. */
  topReused: number;
  distribution: DistributionMode;
}

/** A line of a figure: one service and port (its group index), or every port pooled (service 'all', port null, group -1). */
interface Line {
  service: string;
  port: number | null;
  group: number;
}

function lines(input: PaperInput): Line[] {
  const order = [...input.groups.keys()].sort((a, b) => {
    const ga = input.groups[a]!;
    const gb = input.groups[b]!;
    return input.services[ga.service]!.localeCompare(input.services[gb.service]!) || ga.port - gb.port;
  });
  return [...order.map((g) => ({ service: input.services[input.groups[g]!.service]!, port: input.groups[g]!.port, group: g })), { service: 'all', port: null, group: -1 }];
}

/** Calls fn(group, ips) for each group an item is on, and fn(-1, ips) for the item over all ports: one pass per item. */
function eachLine(o: IpCounts, fn: (group: number, ips: number) => void): void {
  for (const [g, x] of o.byGroup) fn(g, x);
  fn(-1, o.all);
}

/** For each line and each X seen: how many items are on X or more IPs, and their share of the line's items. */
function ccdf(id: string, ref: { ref: string; order?: number }, title: string, what: string, rule: 'per-certificate' | 'per-key', ls: Line[], items: IpCounts[], mode: DistributionMode): ReportTable {
  const hists = new Map<number, Map<number, number>>();
  for (const it of items) {
    eachLine(it, (g, x) => {
      let hist = hists.get(g);
      if (!hist) hists.set(g, (hist = new Map<number, number>()));
      const from = bucketOf(x, mode)[0];
      hist.set(from, (hist.get(from) ?? 0) + 1);
    });
  }
  const rows: ReportTable['rows'] = [];
  for (const line of ls) {
    const hist = hists.get(line.group);
    if (!hist) continue;
    const n = [...hist.values()].reduce((a, b) => a + b, 0);
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

/** The N best by (IPs desc, fingerprint asc), in one pass and O(N) memory per ranking. */
class TopN {
  readonly items: Array<{ ips: number; cert: CertView }> = [];
  constructor(private readonly n: number) {}
  offer(ips: number, cert: CertView): void {
    if (this.n <= 0) return;
    const better = (a: { ips: number; cert: CertView }) => a.ips > ips || (a.ips === ips && a.cert.fingerprint < cert.fingerprint);
    if (this.items.length === this.n && better(this.items[this.n - 1]!)) return;
    let i = this.items.length;
    while (i > 0 && !better(this.items[i - 1]!)) i--;
    this.items.splice(i, 0, { ips, cert });
    if (this.items.length > this.n) this.items.pop();
  }
}

function mostReused(input: PaperInput): ReportTable[] {
  const { services, certs, topReused } = input;
  const perService = services.map(() => new TopN(topReused));
  const overall = new TopN(topReused);
  for (const c of certs) {
    for (const [s, ips] of c.byService) perService[s]!.offer(ips, c);
    overall.offer(c.all, c);
  }
  const order = [...services.keys()].sort((a, b) => services[a]!.localeCompare(services[b]!));
  const cells = (ips: number, c: CertView): Record<string, ReportCell> => ({ ips, subject: c.subject ?? null, class: c.cls, fingerprint: c.fingerprint });
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
      rows: order.flatMap((s) => perService[s]!.items.map(({ ips, cert }, i) => ({ service: services[s]!, rank: i + 1, ...cells(ips, cert) }))),
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
      rows: overall.items.map(({ ips, cert }, i) => ({ rank: i + 1, ...cells(ips, cert), services: [...cert.byService.keys()].map((s) => services[s]!).sort() })),
    },
  ];
}

function reusedValid(ls: Line[], certs: CertView[]): ReportTable {
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
    rows: (() => {
      const tally = new Map<number, { n: number; reused: number; valid: number }>();
      for (const c of certs) {
        eachLine(c, (g, x) => {
          let t = tally.get(g);
          if (!t) tally.set(g, (t = { n: 0, reused: 0, valid: 0 }));
          t.n++;
          if (x > 1) {
            t.reused++;
            if (c.cls === 'valid') t.valid++;
          }
        });
      }
      return ls.flatMap((line) => {
        const t = tally.get(line.group);
        return t ? [{ service: line.service, port: line.port, certificates: t.n, reused: t.reused, reusedValid: t.valid, share: share(t.valid, t.reused) }] : [];
      });
    })(),
  };
}

export function buildPaperTables(input: PaperInput): ReportTable[] {
  const ls = lines(input);
  const { certs, keys, distribution: mode } = input;
  const fig = (sub: string, what: string) => `Fig. ${sub}: likelihood that a ${what} is used on X IPs, per port (share of the port's ${what}s on X or more IPs; "all" pools every port)`;
  return [
    ...mostReused(input),
    ccdf('ccdf-certificates-all', { ref: 'Fig. 6', order: 1 }, `${fig('6a', 'certificate')}, all certificates`, 'Certificates', 'per-certificate', ls, certs, mode),
    ccdf('ccdf-certificates-valid', { ref: 'Fig. 6', order: 2 }, `${fig('6b', 'certificate')}, valid certificates only`, 'Certificates', 'per-certificate', ls, certs.filter((c) => c.cls === 'valid'), mode),
    ccdf('ccdf-certificates-self-signed', { ref: 'Fig. 6', order: 3 }, `${fig('6c', 'certificate')}, self-signed certificates only`, 'Certificates', 'per-certificate', ls, certs.filter((c) => c.cls === 'self-signed'), mode),
    reusedValid(ls, certs),
    ccdf('ccdf-keys', { ref: 'Fig. 7' }, fig('7', 'public key'), 'Keys', 'per-key', ls, keys, mode),
  ];
}
