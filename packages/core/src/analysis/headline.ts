import type { Report, ReportCell, ReportTable } from './report.js';

/**
 * What the headline shows per service, each read from a table a report may
 * carry: (analysis, table, the count, its denominator). A report without
 * that table leaves its column out; nothing here counts records itself.
 * `share`: the count is a share column, multiplied by the denominator.
 */
interface Fact {
  key: string;
  title: string;
  /** What the count is a share of, and where it comes from: the headline's legend. */
  legend: string;
  analysis: string;
  table: string;
  count: string;
  of: string;
  share?: boolean;
}

const FACTS: readonly Fact[] = [
  { key: 'tls', title: 'TLS reached', legend: 'TLS reached: of the hosts with the port open (starttls / tls-overview)', analysis: 'starttls', table: 'tls-overview', count: 'tls', of: 'hosts' },
  { key: 'starttls', title: 'STARTTLS accepted', legend: 'STARTTLS accepted: of the hosts with a STARTTLS port open (starttls / starttls-support)', analysis: 'starttls', table: 'starttls-support', count: 'upgraded', of: 'hosts' },
  { key: 'valid', title: 'Valid chains', legend: 'valid chains: of the servers that sent a chain (ca-practice / validity)', analysis: 'ca-practice', table: 'validity', count: 'valid', of: 'servers', share: true },
];

export interface Headline {
  /** Records read: the largest total any report gives (each analysis sees every record). */
  records: number;
  servers: number;
  /** Per service, the facts the reports carry; undefined when they carry none. */
  table?: ReportTable;
  /** One line per column of the table: its denominator and source. */
  legend: string[];
}

const num = (v: ReportCell | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Sum a fact's count and denominator per service (over its ports); rows named "all" are totals, not services. */
function perService(t: ReportTable, f: Fact): Map<string, { n: number; of: number }> {
  const out = new Map<string, { n: number; of: number }>();
  for (const row of t.rows) {
    const service = row.service;
    if (typeof service !== 'string' || service === 'all') continue;
    const of = num(row[f.of]);
    const n = f.share ? Math.round(num(row[f.count]) * of) : num(row[f.count]);
    const acc = out.get(service) ?? { n: 0, of: 0 };
    acc.n += n;
    acc.of += of;
    out.set(service, acc);
  }
  return out;
}

export function headline(reports: Report[]): Headline {
  const records = Math.max(0, ...reports.map((r) => r.totals.records));
  const servers = Math.max(0, ...reports.map((r) => r.totals.servers));
  const found: Array<{ fact: Fact; byService: Map<string, { n: number; of: number }> }> = [];
  for (const fact of FACTS) {
    const t = reports.find((r) => r.analysis.id === fact.analysis)?.tables.find((x) => x.id === fact.table);
    if (t && t.columns.some((c) => c.key === fact.count) && t.columns.some((c) => c.key === fact.of)) found.push({ fact, byService: perService(t, fact) });
  }
  if (!found.length) return { records, servers, legend: [] };
  const services = [...new Set(found.flatMap((f) => [...f.byService.keys()]))].sort();
  const cell = (v: { n: number; of: number } | undefined) => (v && v.of > 0 ? `${v.n} of ${v.of} (${((v.n / v.of) * 100).toFixed(1)}%)` : v ? '0 of 0' : '');
  const rows = services.map((s) => ({ service: s, ...Object.fromEntries(found.map(({ fact, byService }) => [fact.key, cell(byService.get(s))])) }));
  const totals = found.map(({ fact, byService }) => {
    const sum = [...byService.values()].reduce((a, b) => ({ n: a.n + b.n, of: a.of + b.of }), { n: 0, of: 0 });
    return [fact.key, cell(sum)] as const;
  });
  rows.push({ service: 'all', ...Object.fromEntries(totals) });
  return {
    records,
    servers,
    legend: found.map(({ fact }) => fact.legend),
    table: {
      id: 'headline',
      title: 'Per service (a host or server counted once per port; from the reports below)',
      columns: [{ key: 'service', title: 'Service', type: 'string' }, ...found.map(({ fact }) => ({ key: fact.key, title: fact.title, type: 'string' as const }))],
      rows,
    },
  };
}
