#!/usr/bin/env node
// Benchmark: ca-practice from a DuckDB result store (analyzeStore: verdicts per distinct chain
// stored in ca_practice_chain_verdicts, counting in SQL) beside the record stream
// (consume/finish over the JSONL), on the analyses benchmark's population (issue 18).
//
//   node bench/ca-practice-store.mjs [--file /tmp/wildtls-bench-population.jsonl.gz] [--store PATH.duckdb] [--rounds 1]
//                                    [--modes stream,store,store-again] [--memory-limit 200MB]
//
// The file is made as bench/analyses.mjs makes it (test/synthetic/cli.mjs from
// test/synthetic/bench-population.yaml; its trust anchor beside it) and imported into the
// store when the store is missing (timed apart). Each mode runs in a fresh process,
// alternating, and prints wall time, CPU and peak RSS:
//   stream       readRecords over the JSONL, consume/finish (what `wildtls analyze results.jsonl.gz` does);
//   store        analyzeStore on a store without verdicts for these parameters (they are dropped first);
//   store-again  analyzeStore again: the verdicts are reused, only the counting runs.
// The reports of the three are compared (JSON equality) and the result printed.
// --memory-limit sets DuckDB's memory_limit on the store's connection first (its buffer pool
// otherwise grows to 80% of RAM and is most of the store modes' RSS).
// Build first: npx tsc -b packages/core plugins/analysis-ca-practice
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';

const self = fileURLToPath(import.meta.url);

async function analyzer(file) {
  const { silentLogger } = await import('@wildtls/core');
  const { container } = await import('tsyringe');
  const plugin = (await import('@wildtls/analysis-ca-practice')).default;
  const c = container.createChildContainer();
  await plugin.register?.({ container: c, logger: silentLogger, options: undefined });
  return plugin.create({ options: undefined, logger: silentLogger, container: c, params: { rootsFile: `${file}.roots.pem` } });
}

async function child(mode, file, storePath, memoryLimit) {
  const core = await import('@wildtls/core');
  const t0 = performance.now();
  let report;
  if (mode === 'stream') {
    const a = await analyzer(file);
    for await (const r of core.readRecords(file)) {
      const p = a.consume(r);
      if (p) await p;
    }
    report = await a.finish();
  } else {
    const store = await core.openStore(storePath);
    try {
      if (memoryLimit) await store.run(`SET memory_limit = '${memoryLimit.replace(/[^0-9A-Za-z.]/g, '')}'`);
      if (mode === 'store') for (const t of ['ca_practice_verdict_runs', 'ca_practice_chain_verdicts', 'ca_practice_host_checks']) await store.run(`DROP TABLE IF EXISTS ${t}`);
      const a = await analyzer(file);
      report = await a.analyzeStore(store);
    } finally {
      await store.close();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const ru = process.resourceUsage();
  const digest = createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 16);
  console.log(JSON.stringify({ mode, seconds, cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, rssMiB: ru.maxRSS / 1024, digest, totals: report.totals }));
}

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '/tmp/wildtls-bench-population.jsonl.gz' },
    store: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    mode: { type: 'string' },
    modes: { type: 'string', default: 'stream,store,store-again' },
    'memory-limit': { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
const file = values.file;
const storePath = values.store ?? file.replace(/\.jsonl(\.gz)?$/, '') + '.duckdb';
if (values.child) {
  await child(values.mode, file, storePath, values['memory-limit']);
} else {
  if (!existsSync(file)) {
    console.error(`generating ${file} from test/synthetic/bench-population.yaml at scale 1`);
    const g = spawnSync(process.execPath, [fileURLToPath(new URL('../test/synthetic/cli.mjs', import.meta.url)), '--population', fileURLToPath(new URL('../test/synthetic/bench-population.yaml', import.meta.url)), '--out', file, '--scale', '1'], { stdio: 'inherit' });
    if (g.status !== 0) process.exit(1);
  }
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  if (!existsSync(storePath)) {
    const t0 = performance.now();
    const { importIntoStore } = await import('@wildtls/core');
    const { records } = await importIntoStore([file], storePath);
    console.log(`import: ${records} records into ${storePath} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the figures below)`);
  }
  const digests = new Set();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of values.modes.split(',')) {
      const load = loadavg()[0];
      const limit = values['memory-limit'] ? ['--memory-limit', values['memory-limit']] : [];
      const r = spawnSync(process.execPath, [self, '--child', '--mode', mode, '--file', file, '--store', storePath, ...limit], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) {
        console.error(r.stderr);
        process.exit(1);
      }
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      digests.add(out.digest);
      console.log(`${mode}${limit.length && mode !== 'stream' ? ` (memory_limit ${values['memory-limit']})` : ''}: ${out.seconds.toFixed(1)} s wall, ${out.cpuSeconds.toFixed(1)} s CPU (all threads), peak RSS ${out.rssMiB.toFixed(0)} MiB, load average before ${load.toFixed(1)}; ${JSON.stringify(out.totals)}`);
    }
  }
  console.log(digests.size === 1 ? 'reports: identical (JSON) in every mode' : `reports DIFFER between modes: ${[...digests].join(', ')}`);
}
