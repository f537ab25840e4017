#!/usr/bin/env node
// Benchmark: the store path (analyzeStore) of an analysis (reuse, sasl, starttls, crypto, smtp-policy...)
// beside its stream path (consume/finish over the JSONL.gz of the same records), one analysis per
// fresh process.
//
//   node bench/store-analyses.mjs --file POP.jsonl.gz --store POP.duckdb [--analyses reuse,sasl,starttls] [--rounds 1]
//
// POP.jsonl.gz: e.g. test/synthetic/cli.mjs --population test/synthetic/bench-population.yaml (scale 1:
// 1,000,000 records, about 100,000 distinct chains); POP.duckdb: `wildtls import POP.jsonl.gz --into POP.duckdb`.
// The trust anchor is POP.jsonl.gz.roots.pem (Node's Mozilla store when there is none). Each run
// prints wall time, CPU (user+sys) and peak RSS of its process (worker threads included); store and
// stream alternate, --rounds times. The store run first drops reuse's cached leaf facts so each run
// does the whole work. --memory-limit 256MB sets DuckDB's memory_limit for the store runs (default:
// the store's, 2GB); --paths store runs only those. --reports DIR writes each run's report as
// DIR/<analysis>-<path>.json (compare them with cmp).
// Build first: npx tsc -b
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { file: { type: 'string' }, store: { type: 'string' }, analyses: { type: 'string', default: 'reuse,sasl,starttls' }, rounds: { type: 'string', default: '1' }, child: { type: 'string' }, analysis: { type: 'string' }, 'memory-limit': { type: 'string' }, reports: { type: 'string' }, paths: { type: 'string', default: 'store,stream' } } });

async function child(mode, id, file, storePath) {
  const { silentLogger, openStore, readRecords } = await import('@wildtls/core');
  const { container } = await import('tsyringe');
  const plugin = (await import(`@wildtls/analysis-${id}`)).default;
  const analyzer = await plugin.create({ options: undefined, logger: silentLogger(), container: container.createChildContainer(), params: existsSync(`${file}.roots.pem`) ? { rootsFile: `${file}.roots.pem` } : {} });
  const t0 = performance.now();
  let report;
  if (mode === 'store') {
    const store = await openStore(storePath);
    await store.run('DROP TABLE IF EXISTS reuse_leaf_facts');
    if (values['memory-limit']) await store.run(`SET memory_limit = '${values['memory-limit']}'`);
    report = await analyzer.analyzeStore(store);
    await store.close();
  } else {
    for await (const r of readRecords(file)) await analyzer.consume(r);
    report = await analyzer.finish();
  }
  const wall = (performance.now() - t0) / 1000;
  const u = process.resourceUsage();
  if (values.reports) (await import('node:fs')).writeFileSync(`${values.reports}/${id}-${mode}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ mode, id, wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rssMiB: u.maxRSS / 1024, records: report.totals.records }));
}

if (values.child) {
  await child(values.child, values.analysis, values.file, values.store);
} else {
  if (!values.file || !values.store) {
    console.error('usage: node bench/store-analyses.mjs --file POP.jsonl.gz --store POP.duckdb [--analyses reuse,sasl,starttls] [--rounds 1]');
    process.exit(2);
  }
  console.log(`# ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| analysis | path | records | wall s | CPU s | peak RSS MiB |\n| --- | --- | ---: | ---: | ---: | ---: |');
  const self = fileURLToPath(import.meta.url);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const id of values.analyses.split(',')) {
      for (const mode of (round % 2 ? ['stream', 'store'] : ['store', 'stream']).filter((m) => values.paths.split(',').includes(m))) {
        const limit = [...(values['memory-limit'] ? ['--memory-limit', values['memory-limit']] : []), ...(values.reports ? ['--reports', values.reports] : [])];
        const r = spawnSync(process.execPath, [self, '--child', mode, '--analysis', id, '--file', values.file, '--store', values.store, ...limit], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (r.status !== 0) {
          console.error(r.stderr);
          process.exit(1);
        }
        const m = JSON.parse(r.stdout.trim().split('\n').pop());
        console.log(`| ${id} | ${mode} | ${m.records} | ${m.wall.toFixed(1)} | ${m.cpu.toFixed(1)} | ${m.rssMiB.toFixed(0)} |`);
      }
    }
  }
  console.log(`# load after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
