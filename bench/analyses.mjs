#!/usr/bin/env node
// Benchmark: the analyses over a large synthetic result file (issue 6, "Proof").
//
//   node bench/analyses.mjs [--file /tmp/wildtls-bench-population.jsonl.gz] [--scale 1 | --records 1000000]
//                           [--analyses ca-practice,reuse,sasl,crypto,starttls] [--mode both|single|workers]
//                           [--plugin id=path/to/index.js ...]
//
// Generates the file (and its trust anchor) with test/synthetic from
// test/synthetic/bench-population.yaml when it is missing (scale 1: 1,000,000
// records, about 100,000 distinct chains, every record a copy of a real engine
// record), then runs each mode in a fresh process and prints wall time and
// peak RSS:
//   read     baseline: stream and parse the file, no analysis;
//   single   one thread reads the file and feeds every analysis, as `wildtls analyze` does;
//   workers  two worker threads, each reading the file and running half of the
//            analyses (ca-practice and reuse, which share the chain validator, together);
//   workers-split  two worker threads: ca-practice alone; reuse (which then builds
//            ca-practice's validator itself, see docs/analyses/reuse.md), sasl, crypto and
//            starttls in the other.
// --plugin id=module adds an analysis from a module path (another build of a plugin, say),
// so that two builds are measured on the same machine in the same session.
// Build first: npx tsc -b packages/core plugins/analysis-*
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const PLUGINS = {
  'ca-practice': '@wildtls/analysis-ca-practice',
  reuse: '@wildtls/analysis-reuse',
  sasl: '@wildtls/analysis-sasl',
  crypto: '@wildtls/analysis-crypto',
  starttls: '@wildtls/analysis-starttls',
};
const self = fileURLToPath(import.meta.url);

/** --plugin id=path, also handed to the child processes and worker threads. */
function addPlugins(specs) {
  for (const spec of specs ?? []) {
    const [id, path] = spec.split('=');
    PLUGINS[id] = pathToFileURL(resolve(path)).href;
  }
}

/** Create the analyzers in one DI container (plugins' register hooks run first, as in a scan). */
async function createAnalyzers(ids, file) {
  const { silentLogger } = await import('@wildtls/core');
  const { container } = await import('tsyringe');
  const c = container.createChildContainer();
  const plugins = [];
  for (const id of ids) plugins.push((await import(PLUGINS[id])).default);
  for (const p of plugins) await p.register?.({ container: c, logger: silentLogger, options: undefined });
  const params = { rootsFile: `${file}.roots.pem` };
  return Promise.all(plugins.map((p) => p.create({ options: undefined, logger: silentLogger, container: c, params })));
}

/** Read the file once, feed the analyzers, return their reports. */
async function runAnalyses(ids, file) {
  const { readRecords } = await import('@wildtls/core');
  const analyzers = await createAnalyzers(ids, file);
  let n = 0;
  for await (const r of readRecords(file)) {
    n++;
    for (const a of analyzers) {
      const p = a.consume(r);
      if (p) await p;
    }
  }
  const reports = [];
  for (const a of analyzers) reports.push(await a.finish());
  return { records: n, reports };
}

function summarize(reports) {
  return reports.map((r) => {
    // reuse: its classes too, so that two builds can be seen to agree (or not).
    const all = r.tables.find((t) => t.id === 'summary')?.rows.find((x) => x.service === 'all');
    const classes = all && all.valid !== undefined ? ` (${all.valid} valid, ${all.selfSigned} self-signed, ${all.invalid} invalid)` : '';
    return `${r.analysis.id}: ${r.totals.records} records, ${r.totals.servers} servers${r.totals.certificates !== undefined ? `, ${r.totals.certificates} certificates${classes}, ${r.totals.keys} keys` : ''}`;
  });
}

async function child(mode, ids, file, plugins) {
  const t0 = performance.now();
  let lines;
  if (mode === 'read') {
    const { readRecords } = await import('@wildtls/core');
    let n = 0;
    for await (const r of readRecords(file)) if (r) n++;
    lines = [`read ${n} records, no analysis (the floor every mode pays)`];
  } else if (mode === 'single') {
    lines = summarize((await runAnalyses(ids, file)).reports);
  } else {
    // Two halves. workers: the validator's users stay together and share its cache;
    // workers-split: ca-practice alone, reuse with the rest on its own fallback validator.
    const first = mode === 'workers-split' ? ['ca-practice'] : ['ca-practice', 'reuse'];
    const a = ids.filter((id) => first.includes(id));
    const b = ids.filter((id) => !a.includes(id));
    const halves = [a, b].filter((h) => h.length);
    const results = await Promise.all(halves.map((h) => new Promise((resolve, reject) => {
      const w = new Worker(self, { workerData: { ids: h, file, plugins } });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    lines = results.flat();
  }
  const seconds = (performance.now() - t0) / 1000;
  const ru = process.resourceUsage();
  const cpuSeconds = (ru.userCPUTime + ru.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ mode, seconds, cpuSeconds, rssMiB: ru.maxRSS / 1024, lines }));
}

if (!isMainThread) {
  const { ids, file, plugins } = workerData;
  addPlugins(plugins);
  const { reports } = await runAnalyses(ids, file);
  parentPort.postMessage(summarize(reports));
} else {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: '/tmp/wildtls-bench-population.jsonl.gz' },
      scale: { type: 'string' },
      records: { type: 'string' },
      analyses: { type: 'string' },
      mode: { type: 'string', default: 'both', description: 'both (= all four) | read | single | workers | workers-split' },
      child: { type: 'boolean', default: false },
      plugin: { type: 'string', multiple: true },
    },
  });
  addPlugins(values.plugin);
  const plugins = values.plugin ?? [];
  const pluginArgs = plugins.flatMap((p) => ['--plugin', p]);
  const file = values.file;
  let ids = values.analyses ? values.analyses.split(',') : Object.keys(PLUGINS);
  if (values.child) {
    await child(values.mode, ids, file, plugins);
  } else {
    if (!existsSync(file)) {
      // The population's size at scale 1 is 1,000,000 records; --records N is scale N / 1,000,000.
      const scale = values.scale ?? (values.records ? String(Number(values.records) / 1e6) : '1');
      console.error(`generating ${file} from test/synthetic/bench-population.yaml at scale ${scale}`);
      const g = spawnSync(process.execPath, [fileURLToPath(new URL('../test/synthetic/cli.mjs', import.meta.url)), '--population', fileURLToPath(new URL('../test/synthetic/bench-population.yaml', import.meta.url)), '--out', file, '--scale', scale], { stdio: 'inherit' });
      if (g.status !== 0) process.exit(1);
    }
    // An analysis whose package does not load (not built yet) is left out, and said so.
    const missing = [];
    for (const id of ids) {
      try {
        const m = await import(PLUGINS[id]);
        if (!m.default?.create) throw new Error('no plugin export');
      } catch (err) {
        missing.push(`${id} (${err.message.split('\n')[0]})`);
      }
    }
    ids = ids.filter((id) => !missing.some((m) => m.startsWith(`${id} `)));
    if (missing.length) console.error(`left out: ${missing.join('; ')}`);
    if (!existsSync(`${file}.made.json`)) {
      console.error(`${file} has no ${file}.made.json: not written by test/synthetic/cli.mjs from a population (an older generator?); remove it or name another --file`);
      process.exit(1);
    }
    const made = JSON.parse(readFileSync(`${file}.made.json`, 'utf8'));
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
    console.log(`input: ${file}: ${made.records} records (test/synthetic/bench-population.yaml at scale ${made.scale}), ${made.minted + made.declared} distinct leaf certificates of its PKI (one chain each), ${made.keys} keys`);
    console.log(`analyses: ${ids.join(', ')}`);
    const modes = values.mode === 'both' ? ['read', 'single', 'workers', 'workers-split'] : [values.mode];
    for (const mode of modes) {
      const load = loadavg()[0];
      const r = spawnSync(process.execPath, [self, '--child', '--mode', mode, '--file', file, '--analyses', ids.join(','), ...pluginArgs], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) {
        console.error(r.stderr);
        process.exit(1);
      }
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      console.log(`${mode}: ${out.seconds.toFixed(1)} s wall, ${out.cpuSeconds.toFixed(1)} s CPU (all threads), peak RSS ${out.rssMiB.toFixed(0)} MiB, load average before ${load.toFixed(1)}`);
      for (const l of out.lines) console.log(`  ${l}`);
    }
  }
}
