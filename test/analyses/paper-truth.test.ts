/*
 * The paper tables on populations whose truth is written down (issue 21's
 * proof): each YAML file in test/analyses/paper/ describes groups of servers
 * as copies of records real servers gave the CLI (paper/fixture/, see the
 * recorder) and the expected report, literally: every row of every table,
 * its title (the study's label, or "beyond the study") and its paper marker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords, type AnalysisPlugin, type Report } from '@wildtls/core';
import cryptoPlugin from '@wildtls/analysis-crypto';
import starttlsPlugin from '@wildtls/analysis-starttls';
import { buildRecords, literal, readPopulation } from './paper/population.js';

const PLUGINS: Record<string, AnalysisPlugin> = { crypto: cryptoPlugin, starttls: starttlsPlugin };
const FILES = ['starttls-population.yaml', 'crypto-population.yaml'];
const dir = mkdtempSync(join(tmpdir(), 'wildtls-paper-truth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const file of FILES) {
  const p = readPopulation(file);
  describe(`${file}: ${p.describe}`, () => {
    const reports: Record<string, Report> = {};
    beforeAll(async () => {
      const out = join(dir, file.replace('.yaml', '.jsonl'));
      writeFileSync(out, (await buildRecords(p)).map((r) => JSON.stringify(r)).join('\n') + '\n');
      const analyzers = await Promise.all(p.analyses.map((id) => PLUGINS[id]!.create({ options: {}, params: {}, container: {} as never, logger: {} as never })));
      for await (const r of readRecords(out)) for (const a of analyzers) await a.consume(r);
      const done = await Promise.all(analyzers.map((a) => a.finish()));
      for (const r of done) reports[r.analysis.id] = r;
    });

    for (const [analysis, want] of Object.entries(p.expect)) {
      it(`${analysis}: totals`, () => {
        expect(reports[analysis]!.totals).toEqual(want.totals);
      });
      it(`${analysis}: every table is expected, in order`, () => {
        expect(reports[analysis]!.tables.map((t) => t.id)).toEqual(Object.keys(want.tables));
      });
      for (const [id, t] of Object.entries(want.tables)) {
        it(`${analysis} / ${id}: title, paper marker and every row`, () => {
          const got = reports[analysis]!.tables.find((x) => x.id === id)!;
          expect(got.title).toBe(t.title);
          expect(got.paper).toEqual(t.paper);
          const rows = t.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, literal(v)])));
          expect(got.rows).toEqual(rows);
        });
      }
    }
  });
}
