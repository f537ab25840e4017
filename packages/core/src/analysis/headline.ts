import type { Report, ReportHeadline, ReportTable } from './report.js';

/**
 * The headline of a set of reports: what each analysis declared in its
 * `headline` items (built-in or third-party alike), one column per item in
 * the items' order, one row per service. Nothing here knows an analysis or
 * counts records itself; `analyze`'s terminal view and `report`'s page both
 * read it from here.
 */
export interface HeadlineItem {
  analysis: string;
  item: ReportHeadline;
}

export interface Headline {
  /** Records read: the largest total any report gives (each analysis sees every record). */
  records: number;
  servers: number;
  /** Every report's headline items, lowest `order` first. */
  items: HeadlineItem[];
  /** Per service, one column per item (`n of total (share)`); undefined when no report declared any. */
  table?: ReportTable;
  /** One line per column: what its total counts and which analysis gave it. */
  legend: string[];
}

export function headlineItems(reports: Report[]): HeadlineItem[] {
  return reports
    .flatMap((r) => (r.headline ?? []).map((item) => ({ analysis: r.analysis.id, item })))
    .sort((a, b) => (a.item.order ?? 100) - (b.item.order ?? 100));
}

/** `n`, or `n of total (share)` when the item has a total. */
export function headlineCell(v: { count: number; total?: number } | undefined): string {
  if (!v) return '';
  if (v.total === undefined) return String(v.count);
  return v.total > 0 ? `${v.count} of ${v.total} (${((v.count / v.total) * 100).toFixed(1)}%)` : `${v.count} of 0`;
}

export function headline(reports: Report[]): Headline {
  const records = Math.max(0, ...reports.map((r) => r.totals.records));
  const servers = Math.max(0, ...reports.map((r) => r.totals.servers));
  const items = headlineItems(reports);
  if (!items.length) return { records, servers, items, legend: [] };
  const key = (h: HeadlineItem) => `${h.analysis}/${h.item.id}`;
  const services = [...new Set(items.flatMap((h) => h.item.values.map((v) => v.service)))].sort();
  const rows = services.map((s) => ({ service: s, ...Object.fromEntries(items.map((h) => [key(h), headlineCell(h.item.values.find((v) => v.service === s))])) }));
  const sum = (h: HeadlineItem) => {
    const withTotal = h.item.values.every((v) => v.total !== undefined);
    const count = h.item.values.reduce((a, v) => a + v.count, 0);
    return withTotal ? { count, total: h.item.values.reduce((a, v) => a + (v.total ?? 0), 0) } : { count };
  };
  rows.push({ service: 'all', ...Object.fromEntries(items.map((h) => [key(h), headlineCell(sum(h))])) });
  return {
    records,
    servers,
    items,
    legend: items.map((h) => `${h.item.title}: ${h.item.of ? `of the ${h.item.of}` : 'a count'} (${key(h)})`),
    table: {
      id: 'headline',
      title: 'Per service (a server counted once per port; as the analyses below declare it)',
      columns: [{ key: 'service', title: 'Service', type: 'string' }, ...items.map((h) => ({ key: key(h), title: h.item.title, type: 'string' as const }))],
      rows,
    },
  };
}
