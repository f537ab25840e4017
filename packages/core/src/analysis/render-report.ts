import type { Report, ReportCell, ReportColumn, ReportTable } from './report.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'markdown';

function cellText(v: ReportCell | undefined, col: ReportColumn, human: boolean): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(human ? ', ' : ' ');
  if (col.type === 'share' && typeof v === 'number') return human ? `${(v * 100).toFixed(1)}%` : String(v);
  if (col.type === 'number' && typeof v === 'number' && human) return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

function csvEscape(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderTableText(t: ReportTable): string {
  const head = t.columns.map((c) => c.title);
  const rows = t.rows.map((r) => t.columns.map((c) => cellText(r[c.key], c, true)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = t.columns.map((c) => c.type === 'integer' || c.type === 'number' || c.type === 'share');
  const fmt = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** Render reports from their envelopes alone; no analysis-specific code. */
export function renderReports(reports: Report[], format: ReportFormat): string {
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
        out.push(t.columns.map((c) => csvEscape(c.key)).join(','));
        for (const row of t.rows) out.push(t.columns.map((c) => csvEscape(cellText(row[c.key], c, false))).join(','));
        out.push('');
      } else if (format === 'markdown') {
        out.push(`### ${t.title}\n\nCounting rule: ${rule}.\n`);
        out.push(`| ${t.columns.map((c) => mdEscape(c.title)).join(' | ')} |`);
        out.push(`|${t.columns.map((c) => (c.type === 'string' || c.type === 'list' ? ' --- ' : ' ---: ')).join('|')}|`);
        for (const row of t.rows) out.push(`| ${t.columns.map((c) => mdEscape(cellText(row[c.key], c, true))).join(' | ')} |`);
        out.push('');
      } else {
        out.push(`\n${t.title} (${rule})`);
        out.push(t.rows.length ? renderTableText(t) : '(no rows)');
      }
    }
    for (const n of r.notes ?? []) out.push(format === 'csv' ? `# note: ${n}` : `note: ${n}`);
    out.push('');
  }
  return out.join('\n');
}
