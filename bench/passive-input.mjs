#!/usr/bin/env node
// CPU of passive input alone (issue 16): capture reading, TCP reassembly and the per-connection TLS
// follower, without the command's start-up or its sinks, in microseconds per connection. Each
// measurement is one child process (pinned to one core) that imports core's build of a checkout and
// times (process.cpuUsage, user + system) one readCaptureFlows over a capture:
//  - read:   a no-op handler per connection (reading, decoding, flow table, reassembly);
//  - tls:    the follower the command uses (FlowFollower, from the build's dist/follow: the TLS
//            follower on implicit TLS), its result finished (TlsFollower.finish) and dropped: the
//            input side alone, no record built;
//  - follow: createPassiveFlowFactory's handlers (TLS follower, then the record builder; client
//            addresses hashed with a fixed key as the command does), the records counted and dropped.
// With --cli ROOT the same from another checkout too, alternating in every round (before/after in one run).
//
// node bench/passive-input.mjs CAPTURE PORT [--rounds 5] [--cli ROOT] [--modes read,tls,follow]
import { spawnSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: {
  rounds: { type: 'string', default: '5' }, cli: { type: 'string' }, modes: { type: 'string', default: 'read,tls,follow' }, child: { type: 'string' },
} });
const [capture, port] = positionals;

if (opt.child) {
  const [root, mode] = opt.child.split('|');
  const core = await import(resolve(root, 'packages/core/dist/index.js'));
  const watchPorts = new Set([Number(port)]);
  let records = 0;
  let factory;
  if (mode === 'read') {
    factory = () => ({ data() {}, gap() {}, end() {} });
  } else if (mode === 'tls') {
    const { FlowFollower } = await import(resolve(root, 'packages/core/dist/follow/flow-follower.js'));
    factory = (start) => new FlowFollower(start, undefined, (r) => { records++; r.tls.finish(); });
  } else {
    const ports = new Map([[Number(port), { spec: { name: 'https', mode: 'implicit', defaultPort: 443 }, protocolId: 'https' }]]);
    factory = core.createPassiveFlowFactory({ ports, clientIp: core.clientAnonymizer(Buffer.alloc(32, 7)) }, () => { records++; });
  }
  const t0 = process.cpuUsage();
  const stats = await core.readCaptureFlows([capture], factory, { watchPorts });
  const t = process.cpuUsage(t0);
  console.log(JSON.stringify({ us: t.user + t.system, flows: stats.flows, packets: stats.packets, records }));
  process.exit(0);
}

if (!capture || !port) throw new Error('usage: node bench/passive-input.mjs CAPTURE PORT [--rounds N] [--cli ROOT] [--modes read,tls,follow]');
const roots = [['this checkout', resolve('.')], ...(opt.cli ? [[`--cli ${opt.cli}`, resolve(opt.cli)]] : [])];
const modes = opt.modes.split(',');
const res = new Map();
console.log(`# passive-input bench: node ${process.version}, ${cpus()[0].model} x${cpus().length}, load before ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (let r = 0; r < Number(opt.rounds); r++) {
  const order = r % 2 ? [...roots].reverse() : roots;
  for (const mode of modes) {
    for (const [label, root] of order) {
      const c = spawnSync('taskset', ['-c', '0', process.execPath, new URL(import.meta.url).pathname, capture, port, '--child', `${root}|${mode}`], { encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`${label} ${mode} failed: ${c.stderr}`);
      const x = JSON.parse(c.stdout.trim().split('\n').pop());
      const k = `${mode} ${label}`;
      if (!res.has(k)) res.set(k, { xs: [], ...x });
      res.get(k).xs.push(x.us / x.flows);
    }
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, v] of res) console.log(`${k}: ${med(v.xs).toFixed(2)} us/connection median [${v.xs.map((x) => x.toFixed(2)).join(' ')}] (${v.flows} connections, ${v.packets} packets, ${v.records} records)`);
console.log(`load after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
