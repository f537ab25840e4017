#!/usr/bin/env node
/**
 * Start-up CPU of the real CLI: a one-target scan of a closed loopback port
 * (connection refused at once, so the figure is start-up, config, plugin
 * loading and one probe), user+sys of the child, median of N runs per
 * checkout, checkouts alternating (reversed every other round) so machine
 * noise falls on all of them alike.
 *
 *   npx tsc -b && node bench/startup-cpu.mjs [--cli CHECKOUT]... [--runs 7] [--cmd 'ARGS']
 *
 * --cli DIR (repeatable): a built checkout to measure; default: this one.
 * --cmd 'ARGS': another command line instead of the scan, split on spaces
 * (e.g. '--version', 'analyze results.jsonl -o /dev/null').
 * Connects only to 127.0.0.1:1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const many = (name) => argv.flatMap((a, i) => (argv[i - 1] === name ? [a] : []));
const runs = Number(many('--runs')[0] ?? 7);
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const clis = (many('--cli').length ? many('--cli') : [here]).map((d) => resolve(d));
const args = many('--cmd')[0]?.split(' ').filter(Boolean) ?? ['scan', '127.0.0.1', '--allow', '127.0.0.0/8', '-p', 'tls', '--port', '1', '-o', '/dev/null', '-q'];

// Runs start in an empty folder outside every checkout: plugins resolve from the working directory
// first, so from a checkout another build's CLI would load that checkout's plugins and core as well.
const cwd = mkdtempSync(join(tmpdir(), 'wildtls-startup-'));

/** CPU seconds (user+sys) of one run, read from GNU time's output. */
function cpuOf(dir) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, join(dir, 'packages/cli/bin/run.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [u, s] = last.split(' ').map(Number);
  if (!Number.isFinite(u) || !Number.isFinite(s)) throw new Error(`no timing from ${dir}: ${r.stderr.slice(-300)}`);
  return u + s;
}

const times = new Map(clis.map((c) => [c, []]));
console.log(`wildtls ${args.join(' ')}`);
console.log(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (let i = 0; i < runs; i++) {
  for (const c of i % 2 ? [...clis].reverse() : clis) times.get(c).push(cpuOf(c));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [c, xs] of times) console.log(`${c}: median ${median(xs).toFixed(3)} s CPU (${xs.map((x) => x.toFixed(2)).join(', ')})`);
rmSync(cwd, { recursive: true, force: true });
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
