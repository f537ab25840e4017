#!/usr/bin/env node
// In-process A/B of the passive pipeline of two or more core builds, without any start-up: capture
// reader + reassembly + the passive followers + records (JA3/JA4, client HMAC) + each record's JSON line as
// the JSONL sink gets it (`recordLine`: JSON.stringify, or the line a passive record was built with; no
// sink, no bus), builds alternated in one process, CPU (user + system) per run.
// A PART of `wildtls passive`; for the whole command beside tshark see bench/passive-throughput.mjs.
//
// node bench/passive-pipeline-ab.mjs CAPTURE.pcap ROUNDS BUILD...
//   CAPTURE.json beside the capture names its server port ({"port": N}; bench/passive-throughput.mjs
//   --dir writes it); BUILD is a checkout root (its packages/core/dist) or a core dist's index.js.
// Run it pinned to one core: taskset -c 0 node bench/passive-pipeline-ab.mjs ...
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [cap, rounds, ...builds] = process.argv.slice(2);
if (!cap || !builds.length) {
  console.error('usage: node bench/passive-pipeline-ab.mjs CAPTURE.pcap ROUNDS BUILD...');
  process.exit(2);
}
const port = JSON.parse(readFileSync(cap.replace(/\.pcap$/, '.json'), 'utf8')).port;
const cores = await Promise.all(builds.map((b) => import(pathToFileURL(b.endsWith('.js') ? resolve(b) : resolve(b, 'packages/core/dist/index.js')).href)));
const key = Buffer.alloc(32, 7);
const cpu = builds.map(() => []);
const sys = builds.map(() => []);
for (let i = 0; i < Number(rounds); i++) {
  for (const [j, core] of cores.entries()) {
    const ports = new Map([[port, { spec: { name: 'https', mode: 'implicit', defaultPort: port }, protocolId: 'https' }]]);
    let bytes = 0;
    let n = 0;
    const factory = core.createPassiveFlowFactory({ ports, clientIp: core.clientAnonymizer(key) }, (r) => { bytes += core.recordLine(r).length; n++; });
    const t = process.cpuUsage();
    await core.readCaptureFlows([cap], factory, { watchPorts: new Set([port]) });
    const u = process.cpuUsage(t);
    cpu[j].push((u.user + u.system) / 1e6);
    sys[j].push(u.system / 1e6);
    if (i === 0) console.log(`${builds[j]}: ${n} records, ${bytes} bytes of JSON`);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
builds.forEach((b, j) => console.log(`${b}: median CPU ${med(cpu[j]).toFixed(3)} s (system ${med(sys[j]).toFixed(3)} s)   [${cpu[j].map((x) => x.toFixed(3)).join(' ')}]`));
