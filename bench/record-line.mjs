#!/usr/bin/env node
// recordLine (a record's one JSON serialization, what the JSONL sink writes) alone, per record: a
// micro-benchmark, a part of the scan's cost, not the product's figure (bench/scan-vs-go.mjs is).
//
// node bench/record-line.mjs RECORDS.jsonl [--records 2000] [--rounds 6]
//
// The records are a scan's own output, rebuilt as a probe builds them (fresh object literals in key
// order; the chain's base64 strings made from buffers, not sliced from the file), then serialized
// `--rounds` times over: the first round is cold (the code not yet optimized, nothing in cache),
// the best of the others warm. It also serializes the chain alone and the record without it (where the bytes
// and the time are), and the UTF-8 encode into a batch buffer that follows in the sink.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { recordLine } from '@wildtls/core';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { records: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '20' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/record-line.mjs RECORDS.jsonl [--records N] [--rounds N]');
  process.exit(2);
}
const lines = readFileSync(positionals[0], 'utf8').split('\n').filter(Boolean).slice(0, Number(opt.records));
const rebuild = (r) => (r.tls?.chain ? { ...r, tls: { ...r.tls, chain: r.tls.chain.map((c) => Buffer.from(c, 'base64').toString('base64')) } } : { ...r });
const records = lines.map((l) => rebuild(JSON.parse(l)));
const batch = Buffer.allocUnsafe(1 << 20);

function time(label, items, fn) {
  const rounds = Number(opt.rounds);
  const us = [];
  for (let round = 0; round < rounds; round++) {
    const t = process.hrtime.bigint();
    for (const item of items) fn(item);
    us.push(Number(process.hrtime.bigint() - t) / 1000 / items.length);
  }
  // The best of the later rounds: on a shared machine the least disturbed one is the closest to the cost.
  console.log(`${label.padEnd(38)} first round ${us[0].toFixed(2)} us, best later round ${Math.min(...us.slice(1)).toFixed(2)} us per record`);
}

const bytes = (s) => Buffer.byteLength(s);
const avg = (f) => records.reduce((n, r) => n + f(r), 0) / records.length;
console.log(`${records.length} records, ${avg((r) => bytes(recordLine(r))).toFixed(0)} bytes per line, of which the chain ${avg((r) => (r.tls?.chain ? bytes(JSON.stringify(r.tls.chain)) : 0)).toFixed(0)}`);
time('recordLine (JSON.stringify)', records, (r) => recordLine(r));
time('the chain alone', records.filter((r) => r.tls?.chain), (r) => JSON.stringify(r.tls.chain));
time('the record without its chain', records.map((r) => (r.tls?.chain ? { ...r, tls: { ...r.tls, chain: [] } } : r)), (r) => JSON.stringify(r));
const strings = records.map((r) => recordLine(r));
time('UTF-8 encode into the batch buffer', strings, (s) => batch.write(s, 0, 'utf8'));
