import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFigure } from './render-figure.js';

/** A file name from ids a plugin chose: letters, digits, dot, dash and underscore only, never a path. */
export function figureFileName(analysis: string, id: string): string {
  return `${analysis}-${id}`.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 120);
}

/**
 * Write each figure as SVG and as PNG (twice the SVG's size, for print).
 * resvg rasterises the SVG itself (prebuilt binary per platform in npm, no
 * native build, no canvas), with the system's fonts (DejaVu Sans on Debian).
 */
export function writeFigures(dir: string, figures: Array<RenderedFigure & { analysis: string }>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of figures) {
    const base = join(dir, figureFileName(f.analysis, f.figure.id));
    writeFileSync(`${base}.svg`, f.svg);
    const png = new Resvg(f.svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    writeFileSync(`${base}.png`, png);
    written.push(`${base}.svg`, `${base}.png`);
  }
  return written;
}
