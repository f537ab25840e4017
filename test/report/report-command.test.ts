import { Resvg } from '@resvg/resvg-js';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT, runCli, type CliResult } from '../cli/run-cli.js';

/*
 * `wildtls report` on recorded results: hostile strings from records reach
 * the page only as text, a third-party analysis gets its tables and declared
 * figures into the page with no report code of its own, and --figures writes
 * SVG and PNG files a strict parser and a PNG reader accept.
 */

const FIXTURE = resolve(ROOT, 'test/synthetic/fixture/records.jsonl');
const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "x' onmouseover='alert(3)", '</svg><iframe src=//a>', '&lt;already&gt;'];

let dir = '';
beforeAll(() => {
  dir = tempDir('report-cmd');
});
afterAll(() => {
  if (dir) removeDir(dir);
});

/** The fixture's records, with hostile strings where records carry server-controlled text that reports show. */
function hostileRecords(): string {
  const recs = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const smtp = recs.find((r) => r.service === 'smtp' && (r.sasl as { afterTls?: unknown[] } | undefined))!;
  const hostile = HOSTILE.map((h, i) => ({ ...smtp, ip: `127.0.60.${100 + i}`, service: `smtp${h}`, banner: `220 ${h}`, sasl: { beforeTls: [h], afterTls: [h, 'PLAIN'] } }));
  return [...recs, ...hostile].map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** The markup we wrote: every tag name on the page. */
const tags = (html: string) => new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));

describe('wildtls report on recorded results', () => {
  let res: CliResult;
  let html = '';
  beforeAll(async () => {
    const input = join(dir, 'hostile.jsonl');
    writeFileSync(input, hostileRecords());
    const out = join(dir, 'hostile.html');
    res = await runCli(['report', input, '--output', out, '--title', '<b>t</b>', '--figures', join(dir, 'figs')], { timeoutMs: 120_000 });
    html = res.code === 0 ? readFileSync(out, 'utf8') : '';
  }, 130_000);

  it('exits 0', () => {
    expect(res.code, res.stderr).toBe(0);
  });

  it('hostile strings from records appear only escaped, never as markup', () => {
    // Each one whole never appears (the one without < or " may, harmlessly, inside a text node: checked below).
    for (const h of HOSTILE.filter((x) => /[<"]/.test(x))) expect(html.includes(h), h).toBe(false);
    expect(html).toContain('smtp&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&amp;lt;already&amp;gt;');
    // Only the tags the page and vega's SVG are made of: no script, img, iframe, no event handler attribute.
    const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'code', 'span', 'br', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'section', 'figure', 'figcaption', 'ul', 'li', 'svg', 'g', 'rect', 'path', 'text', 'line', 'defs', 'clippath', 'circle', 'title'];
    expect([...tags(html)].filter((t) => !allowed.includes(t))).toEqual([]);
    // No event handler attribute inside any tag: the apostrophe string stayed text.
    // Quoted attribute values are data (the hostile text may sit in an aria-label): strip them, then look at attribute names.
    const inTags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/="[^"]*"/g, '=""'));
    expect(inTags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(html).toContain('<title>&lt;b&gt;t&lt;/b&gt;</title>');
  });

  it('the hostile service names reach the figures as text too (vega escapes its labels)', () => {
    const fig = html.slice(html.indexOf('data-figure="crypto/fig-cipher-categories"'));
    expect(fig.slice(0, fig.indexOf('</figure>'))).toContain('smtp&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('--figures writes each figure as SVG and as PNG at twice its size', () => {
    const files = readdirSync(join(dir, 'figs')).sort();
    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(svgs).toContain('crypto-fig-cipher-categories.svg');
    expect(svgs).toHaveLength(7);
    for (const f of svgs) {
      const svg = readFileSync(join(dir, 'figs', f), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), f).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), f).toBe(true);
      const width = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)![1]);
      const height = Number(/^<svg[^>]* height="(\d+)"/.exec(svg)![1]);
      // A strict XML parser (resvg's roxmltree) reads it back with the same size.
      expect(new Resvg(svg).width, f).toBe(width);
      const png = readFileSync(join(dir, 'figs', f.replace(/\.svg$/, '.png')));
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), f).toBe(true);
      expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], f).toEqual([width * 2, height * 2]);
    }
  });
});

describe('wildtls report with a third-party analysis plugin', () => {
  let res: CliResult;
  let html = '';
  beforeAll(async () => {
    const config = join(dir, 'census.yaml');
    writeFileSync(config, `plugins:\n  - ${resolve(ROOT, 'test/fixtures/third-party-analysis')}\n`);
    const out = join(dir, 'census.html');
    res = await runCli(['report', FIXTURE, '--config', config, '--analysis', 'port-census', '--output', out], { timeoutMs: 120_000 });
    html = res.code === 0 ? readFileSync(out, 'utf8') : '';
  }, 130_000);

  it('its tables and both declared figures are in the page, with the table\'s data in the marks', () => {
    expect(res.code, res.stderr).toBe(0);
    expect(html).toContain('data-table="port-census/by-port-status"');
    expect(html).toContain('data-figure="port-census/records-by-status"');
    expect(html).toContain('data-figure="port-census/inline-constant"');
    const records = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string });
    const success = records.filter((r) => r.status === 'success').length;
    expect(success).toBeGreaterThan(0);
    expect(html).toContain(`aria-label="status: success; Sum of records: ${success}; Records: ${success}"`);
    expect(html).toContain('aria-label="k: census-inline-b; v: 11"');
  });

  it('an empty table is collapsed into a line that says so', () => {
    expect(html).toMatch(/<p class="empty" data-table="port-census\/nothing">A table with no rows: no rows \(counted per-record\)\.<\/p>/);
  });
});

describe('wildtls report usage errors', () => {
  it('an --output folder that does not exist is a usage error naming it, before any analysis runs', async () => {
    const missing = join(dir, 'no-such-folder', 'r.html');
    const res = await runCli(['report', FIXTURE, '--output', missing], { timeoutMs: 60_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`--output ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist [WILDTLS_ERR_USAGE]`);
  });
});
