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
// consume and after finish (MiB). Build first: npm run build
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
const reports = [];
for (const a of analyzers) reports.push(await a.finish());
sample();
const afterFinish = retained();
clearInterval(timer);
const ru = process.resourceUsage();
if (values.report) writeFileSync(values.report, JSON.stringify(reports));
console.log(JSON.stringify({
  analysis: values.analysis, records, wallS: +((performance.now() - t0) / 1000).toFixed(1),
  cpuS: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(1), peakRssMiB: Math.round(ru.maxRSS / 1024),
  peakHeapMiB: MiB(peak.heapUsed), retainedAfterConsumeMiB: afterConsume, retainedAfterFinishMiB: afterFinish,
}));
process.exit(0);
