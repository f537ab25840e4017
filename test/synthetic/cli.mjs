#!/usr/bin/env node
// Write a synthetic result file and its truth:
//   node test/synthetic/cli.mjs --out /tmp/synthetic.jsonl.gz [--chains 100000] [--fill-to 1000000] [--seed 1]
// writes the records, <out>.truth.json and <out>.roots.pem (the trust anchor of the valid chains).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildSynthetic, writeSynthetic } from './generate.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    chains: { type: 'string', default: '1000' },
    'fill-to': { type: 'string', default: '0' },
    failures: { type: 'string' },
    'unique-key-certs': { type: 'string', default: '20' },
    'keys-per-class': { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
  },
});
if (!values.out) {
  console.error('usage: node test/synthetic/cli.mjs --out FILE[.gz] [--chains N] [--fill-to RECORDS] [--failures N] [--unique-key-certs N] [--keys-per-class N] [--seed S]');
  process.exit(2);
}
const t0 = performance.now();
const set = await buildSynthetic({
  chains: Number(values.chains),
  fillTo: Number(values['fill-to']),
  failures: values.failures === undefined ? undefined : Number(values.failures),
  uniqueKeyCerts: Number(values['unique-key-certs']),
  keysPerClass: Number(values['keys-per-class']),
  seed: Number(values.seed),
});
const truth = await writeSynthetic(set, values.out);
writeFileSync(`${values.out}.truth.json`, JSON.stringify(truth, null, 1));
writeFileSync(`${values.out}.roots.pem`, set.rootPem);
console.error(`${truth.records} records, ${truth.reuse.certificates} certificates, ${truth.reuse.keys} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${values.out}`);
