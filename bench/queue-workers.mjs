#!/usr/bin/env node
/**
 * Throughput of a queued scan (`wildtls scan --queue` + N `wildtls worker`
 * processes, the real CLI) over 65,536 loopback targets (127.72.0.0/16 on
 * port 443: nothing listens, every connection is refused at once), with 1
 * and 3 workers, and (as the baseline) the same scan without --queue in one
 * process, alternating (reversed every other round), unlimited rate.
 * redis-server (Debian package) runs on 127.0.0.1 and a free port, one fresh
 * instance per run, stopped by pid. Wall time from the coordinator's start to
 * its exit (worker start-up included: workers start right after it).
 *
 *   npx tsc -b && node bench/queue-workers.mjs [--rounds 2] [--targets 127.72.0.0/16]
 *
 * Connects only to 127.0.0.1 (Redis) and 127.72.0.0/16.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, d) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const rounds = Number(opt('--rounds', 2));
const targets = opt('--targets', '127.72.0.0/16');
if (!/^127\./.test(targets)) throw new Error('targets must be on loopback');
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(here, 'packages/cli/bin/run.js');

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const listening = (port) => new Promise((res) => { const c = connect(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); res(true); }); c.once('error', () => res(false)); });
const exited = (child, ms) => new Promise((res, rej) => { const t = setTimeout(() => { child.kill('SIGKILL'); rej(new Error('timeout')); }, ms); child.once('close', (code) => { clearTimeout(t); res(code); }); });

async function local() {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-queue-bench-'));
  try {
    const out = join(dir, 'out.jsonl');
    const t0 = performance.now();
    const scan = spawn(process.execPath, [bin, 'scan', targets, '-p', 'https', '--port', '443', '--allow', '127.0.0.0/8', '--rate', '0', '--seed', '1', '--concurrency', '200', '-o', out, '-q'], { stdio: 'ignore' });
    const code = await exited(scan, 600_000);
    if (code !== 0) throw new Error(`local scan exited ${code}`);
    return { wall: (performance.now() - t0) / 1000, probes: readFileSync(out, 'utf8').split('\n').filter(Boolean).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(workers) {
  if (workers === 0) return local();
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-queue-bench-'));
  const port = await freePort();
  const redis = spawn('/usr/bin/redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
    const url = `redis://127.0.0.1:${port}/0`;
    const out = join(dir, 'out.jsonl');
    const t0 = performance.now();
    const coord = spawn(process.execPath, [bin, 'scan', targets, '-p', 'https', '--port', '443', '--allow', '127.0.0.0/8', '--rate', '0', '--seed', '1', '-o', out, '--queue', url, '-q'], { stdio: 'ignore' });
    const ws = Array.from({ length: workers }, () => spawn(process.execPath, [bin, 'worker', '--queue', url, '--concurrency', '200', '--log-level', 'warn'], { stdio: 'ignore' }));
    const code = await exited(coord, 600_000);
    const wall = (performance.now() - t0) / 1000;
    await Promise.all(ws.map((w) => exited(w, 30_000)));
    const probes = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
    if (code !== 0) throw new Error(`coordinator exited ${code}`);
    return { wall, probes };
  } finally {
    redis.kill('SIGTERM');
    await exited(redis, 10_000).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const results = { 0: [], 1: [], 3: [] };
const label = (n) => (n === 0 ? 'local scan (no queue)' : `${n} worker(s)`);
for (let r = 0; r < rounds; r++) {
  for (const n of r % 2 ? [3, 1, 0] : [0, 1, 3]) {
    const { wall, probes } = await run(n);
    results[n].push(wall);
    console.log(`round ${r + 1}, ${label(n)}: ${probes} probes in ${wall.toFixed(1)} s = ${(probes / wall).toFixed(0)}/s (load ${loadavg()[0].toFixed(1)})`);
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`mean wall: local ${mean(results[0]).toFixed(1)} s, 1 worker ${mean(results[1]).toFixed(1)} s, 3 workers ${mean(results[3]).toFixed(1)} s; 1 worker / 3 workers = ${(mean(results[1]) / mean(results[3])).toFixed(2)}`);
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
