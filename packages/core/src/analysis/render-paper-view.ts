import { paperView, type PaperView } from './paper-view.js';
import type { ReportFormat } from './render-report.js';
import type { Report, ReportTable } from './report.js';
import { mdEscape, oneLine, tableCsv, tableMarkdown, tableText } from './render-table.js';

const INTRO = "The study's tables and figures that these reports reproduce, in the study's order, each under its label; every table states its unit (counting rule) and its title the denominator of its shares.";

function totalsText(r: Report): string {
  return `${r.analysis.id} ${r.analysis.version}: ${Object.entries(r.totals).map(([k, v]) => `${k} ${v}`).join(', ')}`;
}

/** Render the paper view of some reports (see paper-view.ts) in any report format. */
export function renderPaperView(reports: Report[], format: ReportFormat): string {
  const view = paperView(reports);
  if (format === 'json') return JSON.stringify(view, null, 2) + '\n';
  const find = new Map<string, { report: Report; table: ReportTable }>();
  for (const report of view.reports) for (const table of report.tables) find.set(`${report.analysis.id}\u0000${table.id}`, { report, table });
  const out = format === 'csv' ? csvHead(view) : format === 'markdown' ? markdownHead(view) : textHead(view);
  for (const s of view.sections) {
    if (format === 'markdown') out.push(`## ${mdEscape(s.ref)}`, '');
    else if (format === 'table') out.push(`== ${oneLine(s.ref)}`);
    if (s.missing) {
      const line = s.missing[0]!.toUpperCase() + s.missing.slice(1);
      out.push(format === 'csv' ? `# [${oneLine(s.ref)}] ${s.missing}` : format === 'markdown' ? `_${line}._` : `${line}.`);
      out.push('');
      continue;
    }
    for (const { analysis, table: id } of s.tables) {
      const { report, table } = find.get(`${analysis}\u0000${id}`)!;
      const rule = table.countingRule ?? report.countingRule;
      if (format === 'csv') {
        out.push(`# [${oneLine(s.ref)}] ${analysis} / ${id} (${rule})`, ...tableCsv(table), '');
      } else if (format === 'markdown') {
        out.push(`### ${mdEscape(table.title)}`, '', `Unit: ${rule} (\`${analysis}\` / \`${id}\`).`, '', ...tableMarkdown(table), '');
      } else {
        out.push(oneLine(table.title), `Unit: ${rule} (${analysis} / ${id})`, tableText(table), '');
      }
    }
  }
  out.push(...notes(view, format));
  return out.join('\n');
}

function textHead(v: PaperView): string[] {
  return [
    `Paper view: ${v.study}.`,
    INTRO,
    ...v.reports.map((r) => `  ${totalsText(r)}`),
    ...(v.unmarked.length ? [`  without a table of the study: ${v.unmarked.join(', ')}`] : []),
    '',
  ];
}

function markdownHead(v: PaperView): string[] {
  return [
    `# Paper view: ${mdEscape(v.study)}`,
    '',
    INTRO,
    '',
    ...v.reports.map((r) => `- ${mdEscape(totalsText(r))}`),
    ...(v.unmarked.length ? [`- without a table of the study: ${mdEscape(v.unmarked.join(', '))}`] : []),
    '',
  ];
}

function csvHead(v: PaperView): string[] {
  return [`# paper view: ${v.study}; in the study's order`, ...v.reports.map((r) => `# totals: ${oneLine(totalsText(r))}`), ''];
}

/** The notes of the analyses that contributed tables: their counting rules and definitions. */
function notes(v: PaperView, format: ReportFormat): string[] {
  const all = v.reports.flatMap((r) => (r.notes ?? []).map((n) => `${r.analysis.id}: ${n}`));
  if (!all.length) return [];
  if (format === 'csv') return all.map((n) => `# note: ${oneLine(n)}`);
  if (format === 'markdown') return ['## Notes', '', ...all.map((n) => `- ${mdEscape(n)}`), ''];
  return ['== Notes', ...all.map((n) => `note: ${oneLine(n)}`), ''];
}
