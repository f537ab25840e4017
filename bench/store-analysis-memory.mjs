#!/usr/bin/env node
// Benchmark: where an analysis's memory goes on a result store. One analysis's analyzeStore in this
// process, the store's derived tables dropped first (a cold run: every distinct chain validated),
// process.memoryUsage() sampled every 250 ms: peak RSS beside the peak JavaScript heap of the main
// thread (a validator worker thread's heap and DuckDB's buffers are in RSS only), and DuckDB's own
// account of its memory at the end (duckdb_memory()).
//
//   node bench/store-analysis-memory.mjs --analysis reuse --store POP.duckdb [--roots ROOTS.pem] [--report OUT.json] [--timeline OUT.txt]
//
// The store is modified (derived tables dropped, the analysis's own written): use a copy. Prints one
// JSON line: wall and CPU seconds (all threads), peak RSS, peak heap, heap and external at the RSS peak
// (MiB). --timeline writes "seconds rssMiB heapMiB externalMiB" per sample; --report the report (cmp it).
// Build first: npm run build
import 'reflect-metadata';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { analysis: { type: 'string' }, store: { type: 'string' }, roots: { type: 'string' }, report: { type: 'string' }, timeline: { type: 'string' }, 'memory-limit': { type: 'string' } } });
if (!values.analysis || !values.store) {
  console.error('usage: node bench/store-analysis-memory.mjs --analysis ID --store POP.duckdb [--roots ROOTS.pem] [--report OUT.json] [--timeline OUT.txt] [--memory-limit 1GB]');
  process.exit(2);
}
const BASE = ['wildtls_meta', 'certificates', 'records', 'cert_staging'];
const { silentLogger, openStore } = await import('@wildtls/core');
const { container } = await import('tsyringe');
const plugin = (await import(`@wildtls/analysis-${values.analysis}`)).default;
const params = values.roots && existsSync(values.roots) ? { rootsFile: values.roots } : {};
const analyzer = await plugin.create({ options: undefined, logger: silentLogger(), container: container.createChildContainer(), params });

const MiB = (x) => Math.round(x / 2 ** 20);
const t0 = performance.now();
const peak = { rss: 0, heapUsed: 0 };
let atPeak = process.memoryUsage();
const timeline = [];
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss >= peak.rss) atPeak = m;
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  timeline.push(`${((performance.now() - t0) / 1000).toFixed(1)} ${MiB(m.rss)} ${MiB(m.heapUsed)} ${MiB(m.external)}`);
};
const timer = setInterval(sample, 250);

const store = await openStore(values.store);
for (const { name } of await store.all(`SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main'`)) {
  if (!BASE.includes(name)) await store.run(`DROP TABLE "${String(name)}"`);
}
if (values['memory-limit']) await store.run(`SET memory_limit = '${values['memory-limit']}'`);
const report = await analyzer.analyzeStore(store);
sample();
const duck = await store.all(`SELECT tag, memory_usage_bytes::BIGINT AS bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0 ORDER BY bytes DESC`);
await store.close();
clearInterval(timer);

const u = process.resourceUsage();
if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
if (values.timeline) writeFileSync(values.timeline, `${timeline.join('\n')}\n`);
console.log(JSON.stringify({
  analysis: values.analysis, wall: +((performance.now() - t0) / 1000).toFixed(1), cpu: +((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(1),
  peakRssMiB: MiB(Math.max(peak.rss, u.maxRSS * 1024)), peakHeapMiB: MiB(peak.heapUsed), atRssPeak: { heapMiB: MiB(atPeak.heapUsed), externalMiB: MiB(atPeak.external) },
  duckdbMiB: Object.fromEntries(duck.map((d) => [d.tag, MiB(d.bytes)])),
}));
