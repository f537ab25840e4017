import { headlineCell, headlineItems, type Report, type ReportCell, type ReportColumn, type ReportTable } from '@wildtls/core';
import { escapeHtml } from './html-escape.js';

/** Rows shown per table; the rest are counted in a note (analyze --format csv has them all). */
export const MAX_HTML_ROWS = 1000;

function cellText(v: ReportCell | undefined, type: ReportColumn['type']): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.join(', ');
  if (type === 'share' && typeof v === 'number') return `${(v * 100).toFixed(1)}%`;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

const numeric = (t: ReportColumn['type']) => t === 'integer' || t === 'number' || t === 'share';

/** One table from its envelope alone; an empty one is a line saying so. */
export function tableHtml(report: Report, t: ReportTable): string {
  const rule = t.countingRule ?? report.countingRule;
  const ref = t.paper ? `<span class="ref">${escapeHtml(t.paper.ref)}</span>` : '';
  const id = escapeHtml(`${report.analysis.id}/${t.id}`);
  if (t.rows.length === 0) {
    return `<p class="empty" data-table="${id}">${ref}${escapeHtml(t.title)}: no rows (counted ${escapeHtml(rule)}).</p>`;
  }
  const head = t.columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('');
  const body = t.rows.slice(0, MAX_HTML_ROWS).map((r) =>
    `<tr>${t.columns.map((c) => `<td${numeric(c.type) ? ' class="num"' : ''}>${escapeHtml(cellText(r[c.key], c.type))}</td>`).join('')}</tr>`).join('\n');
  const more = t.rows.length > MAX_HTML_ROWS ? `<p class="note">${t.rows.length - MAX_HTML_ROWS} more rows not shown; \`wildtls analyze --format csv\` has all ${t.rows.length}.</p>` : '';
  return `<details${t.paper ? ' open' : ''} data-table="${id}"><summary>${ref}${escapeHtml(t.title)} <span class="meta">(${t.rows.length} rows, counted ${escapeHtml(rule)})</span></summary>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>${more}</details>`;
}

/** The headline: one row per service, one column per headline item of every report, by the items' order (core's headlineItems). */
export function headlineHtml(reports: Report[]): string {
  const items = headlineItems(reports);
  if (items.length === 0) return '<p class="empty">No analysis declared headline numbers.</p>';
  const services: string[] = [];
  for (const { item } of items) for (const v of item.values) if (!services.includes(v.service)) services.push(v.service);
  const head = items.map(({ analysis, item: h }) => `<th title="${escapeHtml(`${analysis}: ${h.countingRule ?? ''}`)}">${escapeHtml(h.title)}${h.of ? `<br><span class="meta">of ${escapeHtml(h.of)}</span>` : ''}</th>`).join('');
  const rows = services.map((s) => `<tr><th>${escapeHtml(s)}</th>${items.map(({ analysis, item: h }) => {
    const v = h.values.find((x) => x.service === s);
    if (!v) return '<td class="num">–</td>';
    return `<td class="num" data-headline="${escapeHtml(`${analysis}/${h.id}/${s}`)}">${escapeHtml(headlineCell(v))}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table class="headline"><thead><tr><th>Service</th>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>`;
}
