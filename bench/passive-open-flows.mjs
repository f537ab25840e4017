#!/usr/bin/env node
// The whole `wildtls passive` command on a capture that ends with --flows connections still open
// (issue 16: memory bounded under 100,000 concurrent flows), each holding the first 200 bytes of a
// ClientHello record it waits for the rest of: peak RSS and CPU beside the same command on a one-flow
// capture, per open flow. Every record is written at the capture's end (status timeout, capture-end).
// The capture is synthetic (bench/lib/synthetic-flows.mjs: bytes in a file, nothing is sent).
// With --cli ROOT (repeatable) the same from other checkouts' builds, alternating in every round; each
// run's records are compared with the first checkout's (cmp).
//
// node bench/passive-open-flows.mjs [--flows 100000] [--rounds 3] [--cli ROOT]...
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeFlows } from './lib/synthetic-flows.mjs';

const { values: opt } = parseArgs({ options: {
  flows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, cli: { type: 'string', multiple: true, default: [] },
} });
const n = Number(opt.flows);
const dir = mkdtempSync(join(tmpdir(), 'passive-open-flows-'));
const roots = [resolve('.'), ...opt.cli.map((r) => resolve(r))];
try {
  console.log(`# passive-open-flows: node ${process.version}, ${cpus()[0].model} x${cpus().length}, load before ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const many = join(dir, 'open.pcap');
  const one = join(dir, 'one.pcap');
  await makeFlows(many, n, { helloHead: true });
  await makeFlows(one, 1, { helloHead: true });
  const runs = new Map(roots.map((r) => [r, { many: [], one: [] }]));
  const run = (root, file, out) => {
    // cwd outside every checkout: plugins resolve from the working directory first.
    const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S RSS %M', process.execPath, join(root, 'packages/cli/bin/run.js'), 'passive', file, '--ports', 'https=443', '-o', out, '-q'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg') } });
    const m = /CPU ([\d.]+) ([\d.]+) RSS (\d+)\s*$/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`${root}: passive failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return { cpu: Number(m[1]) + Number(m[2]), rssMiB: Number(m[3]) / 1024 };
  };
  for (let round = 0; round < Number(opt.rounds); round++) {
    for (const root of round % 2 ? [...roots].reverse() : roots) {
      runs.get(root).many.push(run(root, many, join(dir, `out-${roots.indexOf(root)}.jsonl`)));
      runs.get(root).one.push(run(root, one, join(dir, 'one.jsonl')));
    }
    const first = readFileSync(join(dir, 'out-0.jsonl'));
    roots.forEach((root, i) => {
      if (i > 0 && !readFileSync(join(dir, `out-${i}.jsonl`)).equals(first)) console.log(`  note: round ${round}: ${root}'s records differ from ${roots[0]}'s`);
    });
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = readFileSync(join(dir, 'out-0.jsonl'), 'utf8').trim().split('\n');
  console.log(`capture: ${n} connections open at its end (SYN, then 200 bytes of a 517-byte ClientHello record each); ${lines.length} records; first: ${lines[0].slice(0, 160)}...`);
  for (const root of roots) {
    const r = runs.get(root);
    const cpu = med(r.many.map((x) => x.cpu)); const rss = med(r.many.map((x) => x.rssMiB));
    const cpu1 = med(r.one.map((x) => x.cpu)); const rss1 = med(r.one.map((x) => x.rssMiB));
    console.log(`${root}: CPU ${cpu.toFixed(2)} s [${r.many.map((x) => x.cpu.toFixed(2)).join(' ')}], peak RSS ${rss.toFixed(0)} MiB [${r.many.map((x) => x.rssMiB.toFixed(0)).join(' ')}]; one flow: ${cpu1.toFixed(2)} s, ${rss1.toFixed(0)} MiB; per open flow: ${(((rss - rss1) * 1048576) / n / 1024).toFixed(2)} KiB, ${(((cpu - cpu1) * 1e6) / n).toFixed(1)} us CPU`);
  }
  console.log(`load after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
