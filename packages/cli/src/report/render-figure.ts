import type { Report, ReportFigure } from '@wildtls/core';
import type { TopLevelSpec } from 'vega-lite';

// vega and vega-lite are loaded on the first figure, not at import: oclif imports every command
// class to list them, so a static import made every command (passive, scan...) pay ~0.4 s for them.
let renderer: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** A font every Debian install with fonts-dejavu-core has; resvg finds it for the PNGs, and a browser falls back to its sans-serif. */
export const FIGURE_FONT = 'DejaVu Sans, sans-serif';

export interface RenderedFigure {
  figure: ReportFigure;
  /** The chart as a standalone SVG document (inline-able in HTML). */
  svg: string;
}

/** Give a figure its data: the rows of the table it names, or its own inline values. */
export function figureSpec(report: Report, figure: ReportFigure): TopLevelSpec {
  const spec: Record<string, unknown> = { ...figure.spec };
  if (figure.table !== undefined) {
    const table = report.tables.find((t) => t.id === figure.table);
    if (!table) throw new Error(`figure "${figure.id}" of ${report.analysis.id} names table "${figure.table}", which the report does not have`);
    spec.data = { values: table.rows };
  }
  const config = (spec.config ?? {}) as Record<string, unknown>;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 480,
    height: 260,
    background: 'white',
    ...spec,
    // Static output: tooltips cannot show, but their fields stay in each mark's aria-label.
    // tableau20: the study's figures have more than ten categories (suite classes, ports).
    config: { font: FIGURE_FONT, range: { category: { scheme: 'tableau20' } }, legend: { titleLimit: 400, labelLimit: 400 }, ...config },
  } as TopLevelSpec;
}

/**
 * vega-lite compiles the spec, vega renders it headless (renderer 'none',
 * text measured by vega's estimator: no canvas), to an SVG string. A spec
 * that asks for external data gets none: the loader refuses every URL and file.
 */
export async function renderFigure(report: Report, figure: ReportFigure): Promise<RenderedFigure> {
  renderer ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, { compile }] = await renderer;
  const compiled = compile(figureSpec(report, figure)).spec;
  const loader = vega.loader();
  loader.load = () => Promise.reject(new Error(`figure "${figure.id}": a report figure must carry its data inline`));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    await view.runAsync();
    return { figure, svg: await view.toSVG() };
  } finally {
    view.finalize();
  }
}
