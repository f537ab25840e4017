#!/usr/bin/env node
// Benchmark: where an analysis's memory goes on the stream path (issue 18, s28-streammem). One
// analysis (or several, comma-separated) fed every record of a JSONL(.gz) file through consume, as
// `wildtls analyze FILE` does, with process.memoryUsage() sampled every 250 ms. Run node with
// --expose-gc to also get the heap retained after the last consume (a full GC first), i.e. the
// analysis's own state, not garbage.
//
//   node --expose-gc bench/stream-analysis-memory.mjs --analysis reuse --file POP.jsonl.gz [--roots ROOTS.pem] [--report OUT.json]
//
// Prints one JSON line: records, wall and CPU seconds, peak RSS, peak heap, the heap retained after
// consume and after finish (MiB), and the same for the certificate validation worker threads when
// ca-practice's validator runs on them (workerHeap: per thread, used after a full GC and the largest
// used heap seen after a batch, MiB). Build first: npm run build
import 'reflect-metadata';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { analysis: { type: 'string' }, file: { type: 'string' }, roots: { type: 'string' }, report: { type: 'string' } } });
if (!values.analysis || !values.file) {
  console.error('usage: node --expose-gc bench/stream-analysis-memory.mjs --analysis ID[,ID...] --file POP.jsonl.gz [--roots ROOTS.pem] [--report OUT.json]');
  process.exit(2);
}
const { silentLogger, readRecords } = await import('@wildtls/core');
const { container } = await import('tsyringe');
const c = container.createChildContainer();
const ids = values.analysis.split(',');
const plugins = [];
for (const id of ids) plugins.push((await import(`@wildtls/analysis-${id}`)).default);
for (const p of plugins) await p.register?.({ container: c, logger: silentLogger(), options: undefined });
const params = values.roots && existsSync(values.roots) ? { rootsFile: values.roots } : {};
const analyzers = await Promise.all(plugins.map((p) => p.create({ options: undefined, logger: silentLogger(), container: c, params })));

const MiB = (x) => Math.round(x / 2 ** 20);
// The validator's worker pool, when ca-practice made one and shares it (its `service`; a bench may look inside).
const { CHAIN_CLASSIFIER } = await import('@wildtls/analysis-ca-practice').catch(() => ({}));
const pool = CHAIN_CLASSIFIER && c.isRegistered(CHAIN_CLASSIFIER, true) ? c.resolve(CHAIN_CLASSIFIER).service : undefined;
const workerHeap = async () => (typeof pool?.heap === 'function' ? (await pool.heap()).map((h) => ({ usedMiB: MiB(h.used), peakMiB: MiB(h.peak) })) : undefined);
const t0 = performance.now();
const peak = { rss: 0, heapUsed: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
};
const timer = setInterval(sample, 250);
const retained = () => {
  if (!globalThis.gc) return undefined;
  globalThis.gc();
  return MiB(process.memoryUsage().heapUsed);
};
let records = 0;
for await (const r of readRecords(values.file)) {
  records++;
  for (const a of analyzers) {
    const p = a.consume(r);
    if (p) await p;
  }
}
sample();
const afterConsume = retained();
const workersAfterConsume = await workerHeap();
const reports = [];
for (const a of analyzers) reports.push(await a.finish());
sample();
const afterFinish = retained();
const workersAfterFinish = await workerHeap().catch(() => undefined);
clearInterval(timer);
const ru = process.resourceUsage();
if (values.report) writeFileSync(values.report, JSON.stringify(reports));
console.log(JSON.stringify({
  analysis: values.analysis, records, wallS: +((performance.now() - t0) / 1000).toFixed(1),
  cpuS: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(1), peakRssMiB: Math.round(ru.maxRSS / 1024),
  peakHeapMiB: MiB(peak.heapUsed), retainedAfterConsumeMiB: afterConsume, retainedAfterFinishMiB: afterFinish,
  workerHeapAfterConsume: workersAfterConsume, workerHeapAfterFinish: workersAfterFinish,
}));
process.exit(0);
