#!/usr/bin/env node
// Benchmark: the DuckDB result store (issue 18) beside the JSONL path, on one synthetic population.
//
//   node bench/store.mjs [--records 100000] [--dir /tmp/wildtls-bench-store] [--rounds 2]
//
// Generates N records with test/synthetic (test/synthetic/bench-population.yaml at scale
// N / 1,000,000: about one distinct chain per ten records) as JSONL.gz when missing, then, each
// command in a fresh `wildtls` process measured by /usr/bin/time (wall, user+sys CPU, peak RSS):
//   import            wildtls import FILE.jsonl.gz --into FILE.duckdb
//   analyze jsonl.gz  wildtls analyze FILE.jsonl.gz --format json (every built-in analysis)
//   analyze store     wildtls analyze FILE.duckdb --format json
//   export parquet    wildtls export FILE.duckdb --format parquet
//   export jsonl.gz   wildtls export FILE.duckdb --format jsonl
// The two analyze runs alternate, --rounds times (ratios measured in the same run are what
// count on a shared machine), and their JSON reports are checked equal. Sizes: the JSONL.gz,
// the store, the Parquet files. Build first: npx tsc -b
import { existsSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, dir: { type: 'string', default: '/tmp/wildtls-bench-store' }, rounds: { type: 'string', default: '2' } } });
const n = Number(values.records);
const rounds = Number(values.rounds);
const cli = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
mkdirSync(values.dir, { recursive: true });
const jsonl = join(values.dir, `population-${n}.jsonl.gz`);
const store = join(values.dir, `population-${n}.duckdb`);

if (!existsSync(jsonl)) {
  console.error(`generating ${jsonl}`);
  const g = spawnSync(process.execPath, [fileURLToPath(new URL('../test/synthetic/cli.mjs', import.meta.url)), '--population', fileURLToPath(new URL('../test/synthetic/bench-population.yaml', import.meta.url)), '--out', jsonl, '--scale', String(n / 1e6)], { stdio: 'inherit' });
  if (g.status !== 0) process.exit(1);
}

/** Run the CLI under /usr/bin/time: wall s, CPU s, peak RSS MiB, and its stdout. */
function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, cwd: values.dir });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`wildtls ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024, stdout: r.stdout };
}
const mib = (f) => (statSync(f).size / 2 ** 20).toFixed(1);
const line = (what, t, extra = '') => console.log(`| ${what} | ${t.wall.toFixed(1)} | ${t.cpu.toFixed(1)} | ${t.rssMiB.toFixed(0)} |${extra}`);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start; node ${process.version}`);
console.log(`input: ${jsonl}: ${n} records`);
console.log('\n| step | wall s | CPU s | peak RSS MiB | |\n| --- | --- | --- | --- | --- |');
rmSync(store, { force: true });
const imp = timed(['import', jsonl, '--into', store]);
line('import', imp, ` ${Math.round(n / imp.wall)} records/s |`);
let reference;
for (let round = 0; round < rounds; round++) {
  for (const [what, input] of round % 2 ? [['analyze store', store], ['analyze jsonl.gz', jsonl]] : [['analyze jsonl.gz', jsonl], ['analyze store', store]]) {
    const t = timed(['analyze', input, '--format', 'json']);
    reference ??= t.stdout;
    const same = t.stdout === reference;
    line(`${what} (round ${round + 1})`, t, ` reports ${same ? 'equal' : 'DIFFER'} |`);
    if (!same) process.exitCode = 1;
  }
}
const parquet = join(values.dir, `population-${n}.parquet`);
const ex = timed(['export', store, '--format', 'parquet', '--output', parquet]);
line('export parquet', ex, ` ${Math.round(n / ex.wall)} records/s |`);
const back = join(values.dir, `population-${n}.export.jsonl.gz`);
const ej = timed(['export', store, '--format', 'jsonl', '--output', back]);
line('export jsonl.gz', ej, ` ${Math.round(n / ej.wall)} records/s |`);
console.log(`\nsizes: jsonl.gz ${mib(jsonl)} MiB; store ${mib(store)} MiB; parquet ${mib(parquet)} MiB + certificates ${mib(parquet.replace(/\.parquet$/, '.certificates.parquet'))} MiB; load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end`);
