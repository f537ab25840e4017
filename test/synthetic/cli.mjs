#!/usr/bin/env node
// Write a population's records:
//   node test/synthetic/cli.mjs --population test/synthetic/bench-population.yaml --out /tmp/x.jsonl.gz [--scale 1]
// writes the records, <out>.roots.pem (the trust anchor of the valid chains) and <out>.made.json (what was made).
import { parseArgs } from 'node:util';
import { readPopulation } from './population.mjs';
import { writePopulation } from './generate.mjs';

const { values } = parseArgs({ options: { population: { type: 'string' }, out: { type: 'string' }, scale: { type: 'string', default: '1' } } });
if (!values.population || !values.out) {
  console.error('usage: node test/synthetic/cli.mjs --population FILE.yaml --out FILE[.jsonl[.gz]] [--scale FACTOR]');
  process.exit(2);
}
const t0 = performance.now();
const { made } = await writePopulation(readPopulation(values.population), values.out, { scale: Number(values.scale) });
console.error(`${made.records} records, ${made.minted + made.declared} certificates of the population's PKI, ${made.keys} of its keys, in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${values.out}`);
