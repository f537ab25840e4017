import { withoutEmptyRows } from './empty-rows.js';
import { tableFitted, wrap } from './fit-table.js';
import { headline } from './headline.js';
import { oneLine, visible } from './render-table.js';
import type { Report } from './report.js';

export interface TerminalOptions {
  /** Columns the output may use (process.stdout.columns); default: no limit. */
  width?: number;
  /** Show empty tables and empty rows too (see empty-rows.ts). */
  all?: boolean;
}

/**
 * Reports for a person at a terminal: a headline (records, servers, per
 * service TLS reached, STARTTLS accepted and valid chains when the reports
 * carry those tables), then each report's tables without the empty ones and
 * without empty rows unless `all`, every line within `width`, and a closing
 * line that says how much was left out.
 */
export function renderTerminal(reports: Report[], o: TerminalOptions = {}): string {
  const width = o.width && o.width >= 20 ? o.width : Infinity;
  const lines = (s: string) => (Number.isFinite(width) ? wrap(s, width) : [s]);
  const h = headline(reports);
  const out: string[] = [...lines(`wildtls analyze: ${h.records} records, ${h.servers} servers (ip:port); ${reports.length} analyses: ${reports.map((r) => r.analysis.id).join(', ')}`)];
  if (h.table) out.push('', ...lines(h.table.title), fit(h.table, width), ...h.legend.flatMap(lines));
  out.push('');
  let hiddenTables = 0;
  let hiddenRows = 0;
  for (const r of reports) {
    out.push(...lines(`== ${r.analysis.id} ${r.analysis.version}: ${r.totals.records} records, ${r.totals.servers} servers; counted ${r.countingRule}`));
    for (const t of r.tables) {
      const { table, dropped } = o.all ? { table: t, dropped: 0 } : withoutEmptyRows(t);
      if (!table.rows.length && !o.all) {
        hiddenTables++;
        continue;
      }
      hiddenRows += dropped;
      out.push('', ...lines(`${oneLine(visible(t.title))} (${t.countingRule ?? r.countingRule})`), fit(table, width));
      if (dropped) out.push(`(${dropped} empty row${dropped === 1 ? '' : 's'} left out)`);
    }
    for (const n of r.notes ?? []) out.push(...lines(`note: ${oneLine(n)}`));
    out.push('');
  }
  if (hiddenTables || hiddenRows) {
    out.push(...lines(`Left out: ${hiddenTables} empty table${hiddenTables === 1 ? '' : 's'} and ${hiddenRows} empty row${hiddenRows === 1 ? '' : 's'} (every count zero); --all shows them.`), '');
  }
  return out.join('\n');
}

function fit(t: Parameters<typeof tableFitted>[0], width: number): string {
  return tableFitted(t, Number.isFinite(width) ? width : Number.MAX_SAFE_INTEGER);
}
