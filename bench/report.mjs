#!/usr/bin/env node
// Benchmark: `wildtls report` on the analyses benchmark's synthetic set (issue 17, "Proof"),
// beside `wildtls analyze --format json` on the same file in the same run as the reference.
//
//   node bench/report.mjs [--file /tmp/wildtls-bench-population.jsonl.gz] [--scale 1 | --records 1000000] [--rounds 1]
//
// The input is bench/analyses.mjs's (test/synthetic/bench-population.yaml; scale 1:
// 1,000,000 records): when the file is missing, that benchmark's generator writes it.
// Each round runs analyze, then report, each as the built CLI in a fresh process under
// GNU time (wall seconds, peak RSS), alternating, so both see the same machine load.
// Build first: npx tsc -b
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '/tmp/wildtls-bench-population.jsonl.gz' },
    scale: { type: 'string' },
    records: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
const file = values.file;
const bin = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));

if (!existsSync(file)) {
  const scale = values.scale ?? (values.records ? String(Number(values.records) / 1e6) : '1');
  console.error(`generating ${file} from test/synthetic/bench-population.yaml at scale ${scale}`);
  const g = spawnSync(process.execPath, [fileURLToPath(new URL('../test/synthetic/cli.mjs', import.meta.url)), '--population', fileURLToPath(new URL('../test/synthetic/bench-population.yaml', import.meta.url)), '--out', file, '--scale', scale], { stdio: 'inherit' });
  if (g.status !== 0) process.exit(1);
}
const made = JSON.parse(readFileSync(`${file}.made.json`, 'utf8'));
const roots = `${file}.roots.pem`;
const out = mkdtempSync(join(tmpdir(), 'wildtls-bench-report-'));

/** One CLI run under GNU time: wall seconds and peak RSS (KiB) from its last stderr line. */
function timed(args) {
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', 'WILDTLS_TIME %e %M', process.execPath, bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /WILDTLS_TIME (\S+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) {
    console.error(r.stderr);
    process.exit(1);
  }
  return { seconds: Number(m[1]), rssMiB: Number(m[2]) / 1024, load };
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
console.log(`input: ${file}: ${made.records} records (test/synthetic/bench-population.yaml at scale ${made.scale})`);
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    const a = timed(['analyze', file, '--roots', roots, '--format', 'json', '--output', join(out, 'reports.json')]);
    console.log(`round ${round} analyze --format json: ${a.seconds.toFixed(1)} s wall, peak RSS ${a.rssMiB.toFixed(0)} MiB, load before ${a.load.toFixed(1)}`);
    const r = timed(['report', file, '--roots', roots, '--output', join(out, 'report.html'), '--figures', join(out, 'figures')]);
    const size = statSync(join(out, 'report.html')).size;
    console.log(`round ${round} report --figures:      ${r.seconds.toFixed(1)} s wall, peak RSS ${r.rssMiB.toFixed(0)} MiB, load before ${r.load.toFixed(1)}; HTML ${(size / 2 ** 20).toFixed(1)} MiB; report/analyze time ${(r.seconds / a.seconds).toFixed(2)}, RSS ${(r.rssMiB / a.rssMiB).toFixed(2)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
