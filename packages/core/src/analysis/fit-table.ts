import { cellText, visible } from './render-table.js';
import type { ReportTable } from './report.js';

const GAP = 2;
const ELLIPSIS = '…';
const COUNT_TEXT = /^(\d+( of \d+( \(\d+(\.\d+)?%\))?)?)?$/;

/** Cut a string to `w` characters, the last one an ellipsis when anything was cut. */
export function truncate(s: string, w: number): string {
  if (s.length <= w) return s;
  return w <= 0 ? '' : s.slice(0, w - 1) + ELLIPSIS;
}

/** Words of `s` in lines of at most `w` characters (a word longer than a line is cut). */
export function wrap(s: string, w: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    const piece = truncate(word, w);
    if (!cur) cur = piece;
    else if (cur.length + 1 + piece.length <= w) cur += ` ${piece}`;
    else {
      lines.push(cur);
      cur = piece;
    }
  }
  if (cur) lines.push(cur);
  return lines.length ? lines : [''];
}

/**
 * A table in at most `width` columns. Numbers (and text columns of counts) are never cut; text columns
 * (and any title) give up characters, widest first, down to 8 (or their
 * natural width) and end in an ellipsis. When even that does not fit, each
 * row is printed as "Title: value" lines, one block per row, values cut to
 * the width.
 */
export function tableFitted(t: ReportTable, width: number): string {
  if (!t.rows.length) return '(no rows)';
  const head = t.columns.map((c) => visible(c.title));
  const rows = t.rows.map((r) => t.columns.map((c) => cellText(r[c.key], c, true)));
  // A text column whose every cell is a count ("12", "5 of 13 (38.5%)": the headline's) is a number too.
  const numeric = t.columns.map((c, i) => c.type === 'integer' || c.type === 'number' || c.type === 'share' || rows.every((r) => COUNT_TEXT.test(r[i]!)));
  const natural = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const least = natural.map((n, i) => (numeric[i] ? Math.max(1, ...rows.map((r) => r[i]!.length)) : Math.min(n, 8)));
  const total = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + GAP * (ws.length - 1);
  if (total(least) > width) return vertical(head, rows, width);
  const widths = [...natural];
  while (total(widths) > width) {
    // Take one character from the column with the most to give.
    let best = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > least[i]! && (best < 0 || widths[i]! - least[i]! > widths[best]! - least[best]!)) best = i;
    widths[best]!--;
  }
  const fmt = (cells: string[]) => cells.map((c, i) => {
    const s = truncate(c, widths[i]!);
    return numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
  }).join(' '.repeat(GAP)).trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...rows.map(fmt)].join('\n');
}

function vertical(head: string[], rows: string[][], width: number): string {
  const label = Math.min(Math.max(...head.map((h) => h.length)), Math.max(8, Math.floor(width / 2)));
  return rows
    .map((r, n) => [`-- row ${n + 1}`, ...r.map((v, i) => truncate(`${truncate(head[i]!, label).padEnd(label)}: ${v}`, width))].join('\n'))
    .join('\n');
}
