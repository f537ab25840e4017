/*
 * The paper tables on populations whose truth is written down (issue 21's
 * proof): each YAML file in test/analyses/paper/ describes groups of servers
 * as copies of records real servers gave the CLI (test/synthetic/fixture/,
 * only what the fixture-library rule allows varied) and the expected reports,
 * literally: every row of every table, its title (the study's label, or
 * "beyond the study") and its paper marker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord, Report } from '@wildtls/core';
import { buildPopulation, readPopulation } from '../synthetic/population.mjs';
import { checkTable, checkTableList, checkTotals, runExpectation } from './population-truth.js';

const FILES = ['starttls-population.yaml', 'crypto-population.yaml', 'sasl-truth.yaml', 'reuse-truth.yaml'];
const dir = mkdtempSync(join(tmpdir(), 'wildtls-paper-truth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const file of FILES) {
  const p = readPopulation(new URL(`./paper/${file}`, import.meta.url));
  describe(`${file}: ${p.describe}`, () => {
    const reports: Record<string, Report> = {};
    beforeAll(async () => {
      const built = await buildPopulation(p);
      // Each analysis gets its own copy: nothing an analysis does to a record reaches another.
      const records = [...built.records()].map((r) => structuredClone(r) as ProbeRecord);
      const rootsFile = join(dir, `${file}.roots.pem`);
      writeFileSync(rootsFile, built.rootPem);
      for (const [name, e] of Object.entries(p.expect ?? {})) reports[name] = await runExpectation(name, e, records.map((r) => structuredClone(r)), { rootsFile, at: built.at });
    }, 60_000);

    for (const [name, e] of Object.entries(p.expect ?? {})) {
      it(`${name}: totals`, () => checkTotals(reports[name]!, e));
      it(`${name}: the tables, in order`, () => checkTableList(reports[name]!, e));
      for (const [id, t] of Object.entries(e.tables)) {
        it(`${name} / ${id}: title, paper marker and every row`, () => checkTable(reports[name]!, id, t));
      }
    }
    it('declares what it expects', () => expect(Object.keys(p.expect ?? {}).length).toBeGreaterThan(0));
  });
}
