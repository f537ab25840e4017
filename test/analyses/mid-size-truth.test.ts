/*
 * The analyses on a mid-size population (mid-size-population.yaml: 2,501
 * records) whose expected rows are written in it by hand. The records are made
 * as the benchmark's are: the synthetic generator (test/synthetic) writes them
 * as gzipped JSONL, every one a copy of a real engine record with only what the
 * fixture-library rule allows varied; core's streaming reader reads them back.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reusePlugin, { CHAIN_CLASSIFIER, type ChainClassifier } from '@wildtls/analysis-reuse';
import { readRecords, silentLogger, type Report } from '@wildtls/core';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';
import { checkTable, checkTableList, checkTotals, runExpectation, table } from './population-truth.js';

export const MID_SIZE = new URL('./mid-size-population.yaml', import.meta.url);
const p = readPopulation(MID_SIZE);
const dir = mkdtempSync(join(tmpdir(), 'wildtls-mid-size-'));
const file = join(dir, 'mid-size.jsonl.gz');
let at: Date;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const { built, made } = await writePopulation(p, file);
  at = built.at;
  expect(made.records).toBe(2501);
}, 120_000);

for (const [name, e] of Object.entries(p.expect ?? {})) {
  describe(`mid-size population: ${name}`, () => {
    let report: Report;
    beforeAll(async () => {
      report = await runExpectation(name, e, file, { rootsFile: `${file}.roots.pem`, at });
    }, 120_000);
    it('totals', () => checkTotals(report, e));
    it('the tables, in order', () => checkTableList(report, e));
    for (const [id, t] of Object.entries(e.tables)) it(`${id}: every row`, () => checkTable(report, id, t));
  });
}

describe('mid-size population: reuse with a classifier registered by another plugin', () => {
  it('asks it once per distinct chain and takes its classes (here: every chain valid)', async () => {
    const c = root.createChildContainer();
    const calls: number[] = [];
    const everythingValid: ChainClassifier = { classify: async (chain) => (calls.push(chain.length), 'valid' as const) };
    c.register(CHAIN_CLASSIFIER, { useValue: everythingValid });
    const a = await reusePlugin.create({ options: {}, params: {}, container: c, logger: silentLogger() });
    for await (const r of readRecords(file)) await a.consume(r);
    const report = await a.finish();
    // 787 certificates, one chain each (mid-size-population.yaml).
    expect(table(report, 'summary').rows.find((x) => x.service === 'all')).toMatchObject({ certificates: 787, valid: 787, selfSigned: 0, invalid: 0 });
    expect(calls.length).toBe(787);
    expect(table(report, 'top-invalid').rows).toEqual([]);
  });
});
