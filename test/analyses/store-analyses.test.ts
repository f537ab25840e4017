/*
 * Every analysis with a store path (reuse, sasl, starttls, crypto, smtp-policy), on one store:
 * the benchmark's population at a hundredth of its size (10,000 records,
 * about 1,000 distinct chains) with the fixture library's records (hostile
 * ones included) appended to the same store, analysed one after another
 * on one open store as `wildtls analyze x.duckdb` does; each report equals
 * the stream path's over the same records.
 */
import 'reflect-metadata';
import { copyFileSync, readFileSync, appendFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reusePlugin from '@wildtls/analysis-reuse';
import saslPlugin from '@wildtls/analysis-sasl';
import starttlsPlugin from '@wildtls/analysis-starttls';
import cryptoPlugin from '@wildtls/analysis-crypto';
import smtpPolicyPlugin from '@wildtls/analysis-smtp-policy';
import { openStore, readRecords, silentLogger, type Analyzer, type Report } from '@wildtls/core';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';
import { scratch, storeOf } from './store-equality.js';

const BENCH = new URL('../synthetic/bench-population.yaml', import.meta.url);
const FIXTURE = new URL('../synthetic/fixture/records.jsonl', import.meta.url).pathname;
const tmp = scratch('store-analyses');
afterAll(() => tmp.remove());

describe('reuse, sasl, starttls, crypto and smtp-policy on one store', () => {
  const file = `${tmp.dir}/bench.jsonl`;
  let store: string;
  let params: { rootsFile: string };
  beforeAll(async () => {
    await writePopulation(readPopulation(BENCH), `${file}.gz`, { scale: 0.01 });
    appendFileSync(file, gunzipSync(readFileSync(`${file}.gz`)));
    appendFileSync(file, readFileSync(FIXTURE));
    copyFileSync(`${file}.gz.roots.pem`, `${file}.roots.pem`);
    params = { rootsFile: `${file}.roots.pem` };
    store = await storeOf(file, tmp.dir);
  }, 300_000);

  it('each report equals the stream path\'s', async () => {
    const make = (): Analyzer[] => [
      // worker: false keeps the classification order (and so chainsClassified) fixed.
      reusePlugin.create({ options: { worker: false }, params, container: root.createChildContainer(), logger: silentLogger() }),
      saslPlugin.create({ options: {}, params, container: root.createChildContainer(), logger: silentLogger() }),
      starttlsPlugin.create({ options: {}, params, container: root.createChildContainer(), logger: silentLogger() }),
      cryptoPlugin.create({ options: {}, params, container: root.createChildContainer(), logger: silentLogger() }),
      smtpPolicyPlugin.create({ options: {}, params, container: root.createChildContainer(), logger: silentLogger() }),
    ] as Analyzer[];
    const streamed = make();
    for await (const r of readRecords(file)) for (const a of streamed) await a.consume(r);
    const stream: Report[] = [];
    for (const a of streamed) stream.push(await a.finish());
    const s = await openStore(store);
    const viaStore: Report[] = [];
    try {
      for (const a of make()) viaStore.push(await a.analyzeStore!(s));
    } finally {
      await s.close();
    }
    expect(stream[0]!.totals.records).toBe(10_050);
    for (let i = 0; i < stream.length; i++) expect(viaStore[i]).toEqual(stream[i]);
  }, 300_000);
});
