import type { Report } from './report.js';
import { tableCsv, tableMarkdown, tableText } from './render-table.js';
import { renderTerminal, type TerminalOptions } from './render-terminal.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'markdown';

/**
 * Render reports from their envelopes alone; no analysis-specific code.
 * `terminal`, for format table only: the people's view (renderTerminal:
 * headline, empty tables and rows left out unless `all`, fitted to `width`).
 */
export function renderReports(reports: Report[], format: ReportFormat, terminal?: TerminalOptions): string {
  if (format === 'table' && terminal) return renderTerminal(reports, terminal);
  if (format === 'json') {
    return JSON.stringify(Object.fromEntries(reports.map((r) => [r.analysis.id, r])), null, 2) + '\n';
  }
  const out: string[] = [];
  for (const r of reports) {
    const header = `${r.analysis.id} ${r.analysis.version}: ${r.totals.records} records, ${r.totals.servers} servers; counted ${r.countingRule}`;
    if (format === 'markdown') out.push(`## ${r.analysis.id}\n\n_${header}_\n`);
    else if (format === 'table') out.push(`== ${header}`);
    for (const t of r.tables) {
      const rule = t.countingRule ?? r.countingRule;
      if (format === 'csv') {
        out.push(`# ${r.analysis.id} / ${t.id} (${rule})`);
        out.push(...tableCsv(t));
        out.push('');
      } else if (format === 'markdown') {
        out.push(`### ${t.title}\n\nCounting rule: ${rule}.\n`);
        out.push(...tableMarkdown(t));
        out.push('');
      } else {
        out.push(`\n${t.title} (${rule})`);
        out.push(tableText(t));
      }
    }
    for (const n of r.notes ?? []) out.push(format === 'csv' ? `# note: ${n}` : `note: ${n}`);
    out.push('');
  }
  return out.join('\n');
}
