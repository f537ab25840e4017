import type { ReportCell, ReportColumn, ReportTable } from './report.js';

/** One table's body in each text format; shared by the report renderer and the paper view. */

/**
 * Cells can hold what a server sent (a subject CN): for people, C0 and C1
 * control characters, DEL, line and paragraph separators and bidirectional
 * overrides are shown escaped (\x1b, \u202e), so a value can neither start a
 * line that looks like a heading, drive the terminal nor reorder what is
 * shown. CSV keeps the raw value, quoted. `wildtls show` uses it too.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point: they are escaped
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

export function cellText(v: ReportCell | undefined, col: ReportColumn, human: boolean): string {
  if (v === null || v === undefined) return '';
  if (human && typeof v === 'string') return visible(v);
  if (Array.isArray(v)) return human ? v.map(visible).join(', ') : v.join(' ');
  if (col.type === 'share' && typeof v === 'number') return human ? `${(v * 100).toFixed(1)}%` : String(v);
  if (col.type === 'number' && typeof v === 'number' && human) return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

function csvEscape(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Aligned columns for a terminal, shares as percentages; "(no rows)" for an empty table. */
export function tableText(t: ReportTable): string {
  if (!t.rows.length) return '(no rows)';
  const head = t.columns.map((c) => c.title);
  const rows = t.rows.map((r) => t.columns.map((c) => cellText(r[c.key], c, true)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = t.columns.map((c) => c.type === 'integer' || c.type === 'number' || c.type === 'share');
  const fmt = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** A Markdown table: header, alignment row, one line per row. */
export function tableMarkdown(t: ReportTable): string[] {
  return [
    `| ${t.columns.map((c) => mdEscape(c.title)).join(' | ')} |`,
    `|${t.columns.map((c) => (c.type === 'string' || c.type === 'list' ? ' --- ' : ' ---: ')).join('|')}|`,
    ...t.rows.map((row) => `| ${t.columns.map((c) => mdEscape(cellText(row[c.key], c, true))).join(' | ')} |`),
  ];
}

/** CSV: the column keys, then the rows with raw values (shares as fractions). */
export function tableCsv(t: ReportTable): string[] {
  return [
    t.columns.map((c) => csvEscape(c.key)).join(','),
    ...t.rows.map((row) => t.columns.map((c) => csvEscape(cellText(row[c.key], c, false))).join(',')),
  ];
}

/** A comment line (csv `#` lines, headings) never spans lines, whatever a title holds. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
