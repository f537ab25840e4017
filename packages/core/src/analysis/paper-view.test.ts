import { describe, expect, it } from 'vitest';
import { paperView } from './paper-view.js';
import { renderPaperView } from './render-paper-view.js';
import type { PaperRef, Report, ReportTable } from './report.js';

const table = (id: string, paper?: PaperRef): ReportTable => ({
  id,
  title: paper ? `${paper.ref}: table ${id} (share of servers that answered)` : `table ${id} (beyond the study)`,
  ...(paper ? { paper } : {}),
  columns: [{ key: 'service', title: 'Service', type: 'string' }, { key: 'share', title: 'Share', type: 'share' }],
  rows: [{ service: `${id}-row`, share: 0.25 }],
});

const report = (id: string, tables: ReportTable[]): Report => ({
  analysis: { id, version: '1.0.0' },
  countingRule: 'per-server',
  totals: { records: 10, servers: 8, internalErrors: 1 },
  tables,
  notes: [`${id} counts each server once`],
});

// Reports as analyses would hand them over, in load order, tables in each report's own order.
const reports: Report[] = [
  report('ca', [table('other'), table('f5', { ref: 'Fig. 5' }), table('f4', { ref: 'Fig. 4' }), table('chains', { ref: 'Text: certificate chains' })]),
  report('sasl', [table('combos', { ref: 'Tables VIII-XI', order: 2 }), table('mechs', { ref: 'Tables VIII-XI', order: 1 }), table('before', { ref: 'Tables XII-XIII' }), table('beyond')]),
  report('third', [table('t4', { ref: 'Table IV', order: 2 }), table('fig6', { ref: 'Fig. 6' }), table('custom', { ref: 'Appendix A' })]),
  report('crypto', [table('versions', { ref: 'Table IV', order: 1 })]),
  report('plain', [table('nothing')]),
];

// The expected layout, written out: the study's order, each study label either covered or missing.
const EXPECTED: Array<[string, string[] | 'missing']> = [
  ['Table I', 'missing'],
  ['Table III', 'missing'],
  ['Table IV', ['crypto/versions', 'third/t4']],
  ['Table VI', 'missing'],
  ['Tables VIII-XI', ['sasl/mechs', 'sasl/combos']],
  ['Tables XII-XIII', ['sasl/before']],
  ['Fig. 3', 'missing'],
  ['Fig. 4', ['ca/f4']],
  ['Fig. 5', ['ca/f5']],
  ['Fig. 6', ['third/fig6']],
  ['Fig. 7', 'missing'],
  ['Text: certificate chains', ['ca/chains']],
  ['Appendix A', ['third/custom']],
];

describe('paperView', () => {
  const view = paperView(reports);

  it('lays the marked tables out in the study\'s order, then by order, each exactly once', () => {
    expect(view.sections.map((s) => [s.ref, s.missing ? 'missing' : s.tables.map((t) => `${t.analysis}/${t.table}`)])).toEqual(EXPECTED);
  });

  it('says which study labels no table covers, and only those', () => {
    for (const s of view.sections) expect(!!s.missing, s.ref).toBe(s.tables.length === 0);
    expect(view.sections.find((s) => s.ref === 'Table I')!.missing).toMatch(/^not in these reports/);
  });

  it('keeps each report\'s marked tables in view order, its totals and notes; lists the analyses without one', () => {
    expect(view.reports.map((r) => [r.analysis.id, r.tables.map((t) => t.id)])).toEqual([
      ['crypto', ['versions']],
      ['third', ['t4', 'fig6', 'custom']],
      ['sasl', ['mechs', 'combos', 'before']],
      ['ca', ['f4', 'f5', 'chains']],
    ]);
    expect(view.reports.find((r) => r.analysis.id === 'ca')).toMatchObject({ totals: { records: 10, servers: 8, internalErrors: 1 }, notes: ['ca counts each server once'] });
    expect(view.unmarked).toEqual(['plain']);
    // The input is not changed.
    expect(reports[0]!.tables.map((t) => t.id)).toEqual(['other', 'f5', 'f4', 'chains']);
  });

  it('with nothing marked, every study label is a missing line', () => {
    const empty = paperView([report('plain', [table('x')])]);
    expect(empty.sections.map((s) => s.ref)).toEqual(['Table I', 'Table III', 'Table IV', 'Table VI', 'Table VIII', 'Table IX', 'Table X', 'Table XI', 'Table XII', 'Table XIII', 'Fig. 3', 'Fig. 4', 'Fig. 5', 'Fig. 6a', 'Fig. 6b', 'Fig. 6c', 'Fig. 7']);
    expect(empty.sections.every((s) => s.missing && s.tables.length === 0)).toBe(true);
    expect(empty.reports).toEqual([]);
  });

  it('a sub-figure marked alone leaves its siblings missing', () => {
    const refs = paperView([report('r', [table('b', { ref: 'Fig. 6b' })])]).sections.filter((s) => s.ref.startsWith('Fig. 6'));
    expect(refs.map((s) => [s.ref, !!s.missing])).toEqual([['Fig. 6a', true], ['Fig. 6b', false], ['Fig. 6c', true]]);
  });
});

describe('renderPaperView', () => {
  const headingsIn = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);
  const order = EXPECTED.map(([ref]) => ref);

  it('table: a headed section per label in the study\'s order, a missing line under each missing label, each table once with its unit', () => {
    const out = renderPaperView(reports, 'table');
    expect(headingsIn(out, /^== (.+)$/gm)).toEqual([...order, 'Notes']);
    expect(out).toMatch(/^== Table I\nNot in these reports \(.+\)\.\n\n== Table III$/m);
    expect(out.match(/^Not in these reports/gm)).toHaveLength(EXPECTED.filter(([, t]) => t === 'missing').length);
    for (const t of reports.flatMap((r) => r.tables)) expect(out.split(t.title).length - 1, t.id).toBe(t.paper ? 1 : 0);
    expect(out).toContain('Fig. 4: table f4 (share of servers that answered)\nUnit: per-server (ca / f4)\nService  Share\n-------  -----\nf4-row   25.0%');
    expect(out).toContain('  ca 1.0.0: records 10, servers 8, internalErrors 1');
    expect(out).toContain('  without a table of the study: plain');
    expect(out).toContain('note: sasl: sasl counts each server once');
    expect(out).not.toContain('plain counts');
  });

  it('markdown: ## per label, ### per table, the same order', () => {
    const out = renderPaperView(reports, 'markdown');
    expect(headingsIn(out, /^## (.+)$/gm)).toEqual([...order, 'Notes']);
    expect(headingsIn(out, /^### (.+)$/gm)).toEqual(EXPECTED.flatMap(([ref, t]) => (t === 'missing' ? [] : t.map((at) => `${ref}: table ${at.split('/')[1]} (share of servers that answered)`))));
    expect(out).toContain('## Fig. 4\n\n### Fig. 4: table f4 (share of servers that answered)\n\nUnit: per-server (`ca` / `f4`).\n\n| Service | Share |\n| --- | ---: |\n| f4-row | 25.0% |');
    expect(out).toContain('## Table III\n\n_Not in these reports (');
  });

  it('csv: one heading line per table, the ref first, raw fractions; a comment line per missing label', () => {
    const out = renderPaperView(reports, 'csv');
    expect(headingsIn(out, /^# \[([^\]]+)\]/gm)).toEqual(EXPECTED.flatMap(([ref, t]) => (t === 'missing' ? [ref] : t.map(() => ref))));
    expect(out).toContain('# [Fig. 4] ca / f4 (per-server)\nservice,share\nf4-row,0.25\n');
    expect(out).toContain('# [Table I] not in these reports');
  });

  it('a server-controlled cell cannot forge a heading or reach the terminal: escaped for people, raw in csv', () => {
    const hostile = report('reuse', [{ ...table('top', { ref: 'Table VI' }), rows: [{ service: 'evil\n== Table I\n\u001b[2J', share: 1 }] }]);
    const text = renderPaperView([hostile], 'table');
    expect(headingsIn(text, /^== (.+)$/gm).filter((h) => h === 'Table I')).toHaveLength(1);
    expect(text).toContain('evil\\x0a== Table I\\x0a\\x1b[2J');
    expect(text).not.toContain('\u001b');
    expect(renderPaperView([hostile], 'markdown')).toContain('| evil\\x0a== Table I\\x0a\\x1b[2J | 100.0% |');
    expect(renderPaperView([hostile], 'csv')).toContain('"evil\n== Table I\n\u001b[2J",1');
  });

  it('json: the view itself', () => {
    expect(JSON.parse(renderPaperView(reports, 'json'))).toEqual(JSON.parse(JSON.stringify(paperView(reports))));
  });
});
