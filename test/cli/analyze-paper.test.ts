import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * `wildtls analyze --paper` over a real scan's results: `wildtls demo`
 * starts its SMTP (STARTTLS), IMAPS and HTTPS servers on 127.0.0.1, all with
 * one self-signed certificate, and scans them through the pipeline. Every
 * loaded analysis runs; the paper view must show each table they mark with
 * a paper ref exactly once, in the study's order, in every format, and a
 * line for each of the study's labels that no table covers.
 */

// The study's tables and figures that wildtls reproduces, in the study's order (the brief's list).
const STUDY = ['Table I', 'Table III', 'Table IV', 'Table VI', 'Table VIII', 'Table IX', 'Table X', 'Table XI', 'Table XII', 'Table XIII', 'Fig. 3', 'Fig. 4', 'Fig. 5', 'Fig. 6a', 'Fig. 6b', 'Fig. 6c', 'Fig. 7'];

interface Table { id: string; title: string; paper?: { ref: string; order?: number }; rows: Array<Record<string, unknown>> }
interface Report { analysis: { id: string }; tables: Table[] }
interface View { sections: Array<{ ref: string; tables: Array<{ analysis: string; table: string }>; missing?: string }>; reports: Report[]; unmarked: string[] }

let dir = '';
let results = '';
/** Every table the analyses mark, from the ordinary (not paper) JSON output. */
let marked: Array<{ analysis: string; table: Table }> = [];
let view: View;

const analyze = async (args: string[]) => {
  const r = await runCli(['analyze', results, ...args], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const count = (text: string, s: string) => text.split(s).length - 1;
const captures = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-paper-'));
  results = join(dir, 'demo.jsonl');
  const demo = await runCli(['demo', '--output', results], { cwd: dir });
  expect(demo.code, demo.stderr).toBe(0);
  const reports = JSON.parse(await analyze(['--format', 'json'])) as Record<string, Report>;
  marked = Object.values(reports).flatMap((r) => r.tables.filter((t) => t.paper).map((table) => ({ analysis: r.analysis.id, table })));
  view = JSON.parse(await analyze(['--paper', '--format', 'json'])) as View;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('wildtls analyze --paper over the demo scan', () => {
  it('json: every marked table exactly once, under its own ref, and nothing else', () => {
    // ca-practice's Figs. 4 and 5 at least (the other analyses mark theirs in their own plugins).
    expect(marked.map((m) => `${m.analysis}/${m.table.id}`)).toEqual(expect.arrayContaining(['ca-practice/validity', 'ca-practice/primary-error']));
    const listed = view.sections.flatMap((s) => s.tables.map((t) => `${t.analysis}/${t.table}`));
    expect([...listed].sort()).toEqual(marked.map((m) => `${m.analysis}/${m.table.id}`).sort());
    for (const s of view.sections) {
      for (const t of s.tables) expect(marked.find((m) => m.analysis === t.analysis && m.table.id === t.table)!.table.paper!.ref).toBe(s.ref);
    }
    // The reports carry those tables and only those, data included.
    const kept = view.reports.flatMap((r) => r.tables.map((t) => ({ analysis: r.analysis.id, table: t })));
    expect(kept.length).toBe(marked.length);
    for (const k of kept) expect(k.table).toEqual(marked.find((m) => m.analysis === k.analysis && m.table.id === k.table.id)!.table);
  });

  it('json: the study\'s labels in the study\'s order; a missing line exactly for the labels no table is marked with', () => {
    const refs = view.sections.map((s) => s.ref);
    const studyRefs = refs.filter((r) => STUDY.includes(r));
    expect(studyRefs).toEqual([...studyRefs].sort((a, b) => STUDY.indexOf(a) - STUDY.indexOf(b)));
    expect(refs.indexOf('Fig. 4')).toBeLessThan(refs.indexOf('Fig. 5'));
    // Text statistics come after every figure.
    expect(refs.indexOf('Text: certificate chains')).toBeGreaterThan(Math.max(...STUDY.map((l) => refs.indexOf(l))));
    for (const s of view.sections.filter((x) => x.missing)) {
      expect(STUDY, s.ref).toContain(s.ref);
      expect(s.tables).toEqual([]);
      expect(marked.some((m) => m.table.paper!.ref === s.ref), s.ref).toBe(false);
    }
    for (const label of ['Fig. 4', 'Fig. 5']) expect(view.sections.find((s) => s.ref === label)?.missing).toBeUndefined();
  });

  it('json: the data is the real scan\'s: three servers with one self-signed certificate', () => {
    const ca = view.reports.find((r) => r.analysis.id === 'ca-practice')!;
    const fig4 = ca.tables.find((t) => t.id === 'validity')!;
    expect(fig4.rows.map((r) => [r.service, r.servers, r['self-signed'], r.valid])).toEqual([['https', 1, 1, 0], ['imaps', 1, 1, 0], ['smtp', 1, 1, 0], ['all', 3, 1, 0]]);
    const fig5 = ca.tables.find((t) => t.id === 'primary-error')!;
    // 18: X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, what openssl verify says for a self-signed leaf.
    expect(fig5.rows.map((r) => [r.service, r.code, r.servers, r.of])).toEqual([['https', 18, 1, 1], ['imaps', 18, 1, 1], ['smtp', 18, 1, 1], ['all', 18, 3, 3]]);
  });

  it('table: a heading per section in the json order, each marked table once with its unit, a missing line under each missing label', async () => {
    const out = await analyze(['--paper', '--format', 'table']);
    expect(captures(out, /^== (.+)$/gm)).toEqual([...view.sections.map((s) => s.ref), 'Notes']);
    for (const m of marked) {
      expect(count(out, `${m.table.title}\nUnit: `), m.table.id).toBe(1);
      expect(count(out, `(${m.analysis} / ${m.table.id})\n`), m.table.id).toBe(1);
    }
    for (const s of view.sections.filter((x) => x.missing)) expect(out).toContain(`== ${s.ref}\nNot in these reports (`);
    expect(count(out, '\nNot in these reports (')).toBe(view.sections.filter((s) => s.missing).length);
  });

  it('markdown: ## per section, ### per marked table, in the json order', async () => {
    const out = await analyze(['--paper', '--format', 'markdown']);
    expect(captures(out, /^## (.+)$/gm)).toEqual([...view.sections.map((s) => s.ref), 'Notes']);
    const titleOf = (a: string, id: string) => marked.find((m) => m.analysis === a && m.table.id === id)!.table.title;
    expect(captures(out, /^### (.+)$/gm)).toEqual(view.sections.flatMap((s) => s.tables.map((t) => titleOf(t.analysis, t.table).replace(/\|/g, '\\|'))));
    expect(count(out, '_Not in these reports (')).toBe(view.sections.filter((s) => s.missing).length);
  });

  it('csv: one heading line per table (ref, analysis, table) and per missing label, in the json order; raw values', async () => {
    const out = await analyze(['--paper', '--format', 'csv']);
    const heads = out.split('\n').filter((l) => l.startsWith('# ['));
    expect(heads.map((l) => l.replace(/ \(per-[a-z]+\)$/, ''))).toEqual(
      view.sections.flatMap((s) => (s.missing ? [`# [${s.ref}] ${s.missing}`] : s.tables.map((t) => `# [${s.ref}] ${t.analysis} / ${t.table}`))),
    );
    expect(out).toMatch(/^# \[Fig\. 5\] ca-practice \/ primary-error \(per-server\)\nservice,port,code,error,servers,of,share\nhttps,\d+,18,self-signed certificate,1,1,1$/m);
  });
});
