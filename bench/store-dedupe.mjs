#!/usr/bin/env node
// Benchmark: how the store dedupes certificates (issue 18). N distinct certificates (random
// DER-sized blobs, keyed by their SHA-256 hex) arrive in batches of 4096, a quarter of each
// batch repeating certificates of earlier batches; two ways to merge a batch, each into a
// fresh store, alternating:
//   pk-ignore  cert_staging, then INSERT OR IGNORE INTO certificates (sha256 PRIMARY KEY):
//              a point lookup in the key's index per certificate (what store-writer.ts does)
//   key-ignore the same with the key a UHUGEINT of the fingerprint's first 128 bits (a fixed-size key)
//   anti-join  cert_staging, then INSERT ... WHERE NOT EXISTS (same sha256) into a table
//              without a key: a hash anti-join that scans every stored certificate per batch
//
//   node bench/store-dedupe.mjs [--certs 1000000] [--bytes 1200] [--rounds 1] [--strategies pk-ignore,key-ignore,anti-join]
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const { values } = parseArgs({ options: { certs: { type: 'string', default: '1000000' }, bytes: { type: 'string', default: '1200' }, rounds: { type: 'string', default: '1' }, strategies: { type: 'string', default: 'pk-ignore,key-ignore,anti-join' } } });
const N = Number(values.certs);
const BYTES = Number(values.bytes);
const BATCH = 4096;
const seed = randomBytes(BYTES);

/** Certificate i: a blob that differs per i, and its fingerprint. */
function cert(i) {
  const der = Buffer.from(seed);
  der.writeUInt32BE(i, 0);
  return { der, sha256: createHash('sha256').update(der).digest('hex') };
}

async function run(strategy) {
  const path = `/tmp/wildtls-dedupe-${strategy}.duckdb`;
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  await c.run(strategy === 'pk-ignore' ? 'CREATE TABLE certificates(sha256 VARCHAR PRIMARY KEY, der BLOB, first_seq BIGINT)'
    : strategy === 'key-ignore' ? 'CREATE TABLE certificates(sha256 VARCHAR, der BLOB, first_seq BIGINT, k UHUGEINT PRIMARY KEY)'
    : 'CREATE TABLE certificates(sha256 VARCHAR, der BLOB, first_seq BIGINT)');
  await c.run('CREATE TABLE cert_staging(sha256 VARCHAR, der BLOB, first_seq BIGINT, k UHUGEINT)');
  const t0 = performance.now();
  let next = 0;
  let batches = 0;
  let lastBatchMs = 0;
  for (;;) {
    if (next >= N) break;
    const tb = performance.now();
    await c.run('BEGIN TRANSACTION');
    const a = await c.createAppender('cert_staging');
    const fresh = Math.min(N - next, Math.round(BATCH * 0.75));
    const repeats = next > 0 ? BATCH - fresh : 0;
    for (let k = 0; k < repeats; k++) {
      const { der, sha256 } = cert(Math.floor(Math.random() * next));
      a.appendVarchar(sha256); a.appendBlob(der); a.appendBigInt(0n); a.appendUHugeInt(BigInt(`0x${sha256.slice(0, 32)}`)); a.endRow();
    }
    for (let k = 0; k < fresh; k++) {
      const { der, sha256 } = cert(next++);
      a.appendVarchar(sha256); a.appendBlob(der); a.appendBigInt(0n); a.appendUHugeInt(BigInt(`0x${sha256.slice(0, 32)}`)); a.endRow();
    }
    a.flushSync();
    a.closeSync();
    // Repeats within a batch are dropped before the merge in both (the writer keeps a batch-local set).
    if (strategy === 'key-ignore') await c.run(`INSERT OR IGNORE INTO certificates SELECT DISTINCT ON (sha256) * FROM cert_staging`);
    else if (strategy === 'pk-ignore') await c.run('INSERT OR IGNORE INTO certificates SELECT DISTINCT ON (sha256) sha256, der, first_seq FROM cert_staging');
    else await c.run('INSERT INTO certificates SELECT DISTINCT ON (s.sha256) s.sha256, s.der, s.first_seq FROM cert_staging s WHERE NOT EXISTS (SELECT 1 FROM certificates c WHERE c.sha256 = s.sha256)');
    await c.run('DELETE FROM cert_staging');
    await c.run('COMMIT');
    batches++;
    lastBatchMs = performance.now() - tb;
  }
  const secs = (performance.now() - t0) / 1000;
  const [[count]] = (await c.runAndReadAll('SELECT count(*) FROM certificates')).getRowsJS();
  c.closeSync();
  db.closeSync();
  console.log(`| ${strategy} | ${N} | ${batches} | ${secs.toFixed(1)} | ${Math.round(N / secs)} | ${lastBatchMs.toFixed(0)} | ${Number(count)} |`);
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
}

console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${BYTES}-byte certificates, batches of ${BATCH} (a quarter repeats)`);
console.log('| strategy | distinct certificates | batches | wall s | certificates/s | last batch ms | stored |\n| --- | --- | --- | --- | --- | --- | --- |');
const strategies = values.strategies.split(',');
for (let r = 0; r < Number(values.rounds); r++) for (const s of r % 2 ? [...strategies].reverse() : strategies) await run(s);
