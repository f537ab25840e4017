import type { ReportHeadline } from './report.js';

/**
 * Sum per-port counts into one value per service, in first-seen order: the
 * shape of ReportHeadline.values. Rows of the pooled "all" line (port null)
 * are left out, so nothing is counted twice.
 */
export function headlineValues(rows: Iterable<{ service: string; port: number | null; count: number; total?: number }>): ReportHeadline['values'] {
  const by = new Map<string, { service: string; count: number; total?: number }>();
  for (const r of rows) {
    if (r.port === null) continue;
    const v = by.get(r.service) ?? { service: r.service, count: 0 };
    v.count += r.count;
    if (r.total !== undefined) v.total = (v.total ?? 0) + r.total;
    by.set(r.service, v);
  }
  return [...by.values()];
}
