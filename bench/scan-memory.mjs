#!/usr/bin/env node
// Memory per in-flight probe through the product path (the real CLI, JSONL sink).
//
// A Node server on 127.0.54.1-250 x 20 ports sends an SMTP banner and then holds every
// connection silent, so each SMTP probe stays in flight (waiting for its EHLO reply).
// The CLI scans those 5,000 endpoints at concurrency N (default 5,000) and at
// concurrency 1; once the server holds N connections, the CLI's RSS is read from
// /proc. Marginal memory per in-flight probe = (RSS at N - RSS at 1) / (N - 1).
//
// node bench/scan-memory.mjs [--build .] [--inflight 5000]
// Connections: 127.0.54.0/24 only; the scans are killed (by pid) after the reading.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { build: { type: 'string', default: '.' }, inflight: { type: 'string', default: '5000' } } });
const PORTS = Array.from({ length: 20 }, (_, i) => 20430 + i);
const ADDRS = Array.from({ length: 250 }, (_, i) => `127.0.54.${i + 1}`);
const dir = mkdtempSync(join(tmpdir(), 'scan-memory-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let held = 0;
const sockets = new Set();
const servers = [];
for (const ip of ADDRS) {
  for (const port of PORTS) {
    const srv = createServer((s) => {
      held++;
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { held--; sockets.delete(s); });
      s.write('220 bench ESMTP\r\n');
      s.on('data', () => {}); // read and never answer
    });
    srv.listen(port, ip);
    servers.push(srv);
  }
}
await sleep(1000);
const targets = join(dir, 'targets.txt');
writeFileSync(targets, ADDRS.join('\n') + '\n');

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

async function measure(concurrency) {
  const child = spawn(process.execPath, [join(resolve(opt.build), 'packages/cli/bin/run.js'), 'scan', '-p', 'smtp', ...PORTS.flatMap((p) => ['--port', String(p)]),
    '--input', targets, '--allow', '127.0.0.0/8', '--output', join(dir, `out-${concurrency}.jsonl`), '--progress', 'off', '--rate', '0',
    '--concurrency', String(concurrency), '--per-network', String(concurrency), '--read-timeout', '60000', '--timeout', '90000', '--quiet', '--order', 'sequential'],
  { stdio: 'ignore' });
  const want = Math.min(concurrency, ADDRS.length * PORTS.length);
  let samples = [];
  for (let i = 0; i < 600 && samples.length < 10; i++) {
    await sleep(100);
    if (held >= want) samples.push(rssKb(child.pid));
  }
  const reached = held;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  for (const s of sockets) s.destroy();
  await sleep(500);
  samples = samples.sort((a, b) => a - b);
  return { reached, rssKb: samples[Math.floor(samples.length / 2)] };
}

try {
  const n = Number(opt.inflight);
  console.log(`# scan-memory: node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const one = await measure(1);
  const many = await measure(n);
  console.log(`concurrency 1: ${one.reached} in flight, RSS ${(one.rssKb / 1024).toFixed(1)} MiB`);
  console.log(`concurrency ${n}: ${many.reached} in flight, RSS ${(many.rssKb / 1024).toFixed(1)} MiB`);
  console.log(`marginal: ${((many.rssKb - one.rssKb) / (many.reached - one.reached)).toFixed(1)} KiB per in-flight probe`);
} finally {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
}
