import type { Report } from '@wildtls/core';
import { escapeHtml } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';
import { headlineHtml, tableHtml } from './html-tables.js';
import { renderFigure, type RenderedFigure } from './render-figure.js';

export interface PageOptions {
  title: string;
  /** Result files the reports were computed from (shown, escaped). */
  inputs: string[];
  generatedAt: Date;
}

export interface ReportPage {
  html: string;
  /** Every figure rendered, with the analysis it belongs to. */
  figures: Array<RenderedFigure & { analysis: string }>;
}

// The page may load nothing and run nothing: inline styles and data: images only.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function figureHtml(analysis: string, f: RenderedFigure): string {
  const ref = f.figure.paper ? `<span class="ref">${escapeHtml(f.figure.paper.ref)}</span>` : '';
  return `<figure data-figure="${escapeHtml(`${analysis}/${f.figure.id}`)}"${f.figure.paper ? ` data-paper-ref="${escapeHtml(f.figure.paper.ref)}"` : ''}>
<figcaption>${ref}${escapeHtml(f.figure.title)}</figcaption>
${f.svg}
${f.figure.note ? `<p class="note">${escapeHtml(f.figure.note)}</p>` : ''}</figure>`;
}

/** The whole self-contained page: headline, then per report its figures, tables and notes. */
export async function buildReportPage(reports: Report[], o: PageOptions): Promise<ReportPage> {
  const figures: ReportPage['figures'] = [];
  const sections: string[] = [];
  for (const r of reports) {
    const id = r.analysis.id;
    const rendered: RenderedFigure[] = [];
    for (const f of r.figures ?? []) rendered.push(await renderFigure(r, f));
    figures.push(...rendered.map((f) => ({ ...f, analysis: id })));
    const totals = Object.entries(r.totals).map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(v)}`).join(', ');
    sections.push(`<section data-analysis="${escapeHtml(id)}">
<h2>${escapeHtml(id)} <span class="meta">${escapeHtml(r.analysis.version)}</span></h2>
<p class="meta">Counted ${escapeHtml(r.countingRule)}; ${totals}.</p>
${rendered.map((f) => figureHtml(id, f)).join('\n')}
${r.tables.map((t) => tableHtml(r, t)).join('\n')}
${(r.notes ?? []).length ? `<h3>Notes</h3><ul class="note">${r.notes!.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</section>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style>${REPORT_CSS}</style>
</head><body>
<h1>${escapeHtml(o.title)}</h1>
<p class="meta">Generated ${escapeHtml(o.generatedAt.toISOString())} by wildtls from ${o.inputs.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ')}. Figures and tables marked with a label reproduce the study's (Holz et al., "TLS in the wild", NDSS 2016).</p>
<h2>Headline</h2>
${headlineHtml(reports)}
${sections.join('\n')}
</body></html>
`;
  return { html, figures };
}
