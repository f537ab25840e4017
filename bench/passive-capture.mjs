#!/usr/bin/env node
// Throughput of passive capture reading + TCP reassembly (issue 16), beside tshark on the same files,
// and peak memory with 100,000 concurrent flows.
//
// Captures are made here, with tcpdump on lo, from bounded local traffic on 127.0.78.0/24:
//  - bulk: Node TLS client/server pairs sending --bulk-mb megabytes in all (few, large packets);
//  - handshakes: --handshakes TLS connections (Node tls client) to `openssl s_server`, each a full
//    handshake, a few bytes and a close (many small packets).
// Each file is read alternately --rounds times by (a) wildtls's readCaptureFlows with a handler that
// parses TLS record headers only (this is a PART of `wildtls passive`: the record building of issue
// 16 part 2 is not in it) and (b) `tshark -r FILE -T fields -e tls.handshake.type -e
// tls.handshake.ciphersuite ...`. Both on one core (wildtls is single-threaded; tshark too).
// Whole command: (c) `wildtls passive FILE --ports https=PORT -o OUT.jsonl -q` (start-up, plugins,
// reader, record building, records written), pinned to one core like tshark, alternating with (a)
// and (b); with --cli ROOT also (d) the same command from another checkout's build at ROOT (e.g. the
// commit before a change: `git worktree add /tmp/old HEAD~3 && cd /tmp/old && npm ci && npx tsc -b`), and
// (e) that checkout's reader for the part measurement (a).
// Memory: a synthetic pcap of --flows SYN + 200-byte-data flows without FIN, read in a child process;
// its peak RSS (maxRSS) beside a child reading a capture of the same size with one flow.
//
// node bench/passive-capture.mjs [--bulk-mb 200] [--handshakes 1000] [--rounds 3] [--flows 100000] [--cli ROOT]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { captureBulk, captureHandshakes } from './lib/loopback-captures.mjs';
import { makeFlows } from './lib/synthetic-flows.mjs';

const { values: opt } = parseArgs({ options: {
  'bulk-mb': { type: 'string', default: '200' }, handshakes: { type: 'string', default: '1000' },
  rounds: { type: 'string', default: '3' }, flows: { type: 'string', default: '100000' }, child: { type: 'string' },
  cli: { type: 'string' },
} });
const core = await import(pathToFileURL(resolve('packages/core/dist/index.js')).href);
// --cli ROOT: that checkout's reader too, for the part measurement (before/after in one run)
const otherCore = opt.cli && !opt.child ? await import(pathToFileURL(resolve(opt.cli, 'packages/core/dist/index.js')).href) : undefined;

/** The handler of the measurement: parse TLS record headers (type, version, length) across data calls. */
function recordHeaderFactory(counts) {
  return () => {
    const state = { client: { need: 5, hdr: [], skip: 0 }, server: { need: 5, hdr: [], skip: 0 } };
    return {
      data(dir, bytes) {
        const s = state[dir];
        let i = 0;
        while (i < bytes.length) {
          if (s.skip > 0) { const n = Math.min(s.skip, bytes.length - i); s.skip -= n; i += n; continue; }
          s.hdr.push(bytes[i++]);
          if (s.hdr.length === 5) {
            if (s.hdr[0] === 22) counts.handshakeRecords++;
            counts.records++;
            s.skip = (s.hdr[3] << 8) | s.hdr[4];
            s.hdr = [];
          }
        }
      },
      gap(dir) { state[dir] = { need: 5, hdr: [], skip: 0 }; counts.gaps++; },
      end() {},
    };
  };
}

// --- child mode: read one capture and report peak RSS -----------------------------------------
if (opt.child) {
  const counts = { records: 0, handshakeRecords: 0, gaps: 0 };
  const stats = await core.readCaptureFlows([opt.child], () => ({ data() {}, gap() {}, end() {} }), { watchPorts: new Set([443]) });
  process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, flows: stats.flows, packets: stats.packets, counts }));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'passive-bench-'));
// Captures on this bench's loopback addresses (bench/lib/loopback-captures.mjs makes them).
const makeBulk = (file, megabytes) => captureBulk({ file, dir, megabytes, server: '127.0.78.110', client: '127.0.78.111' });
const makeHandshakes = (file, n) => captureHandshakes({ file, dir, n, server: '127.0.78.112', client: '127.0.78.113' });

function timeWildtls(file, lib = core) {
  const counts = { records: 0, handshakeRecords: 0, gaps: 0 };
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return lib.readCaptureFlows([file], recordHeaderFactory(counts), { watchPorts: undefined }).then((stats) => {
    const used = process.cpuUsage(cpu);
    return { s: Number(process.hrtime.bigint() - t) / 1e9, cpu: (used.user + used.system) / 1e6, stats, counts };
  });
}

function timeTshark(file) {
  const t = process.hrtime.bigint();
  // /usr/bin/time gives tshark's CPU time (user + system) on its last stderr line.
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', 'taskset', '-c', '0', 'tshark', '-r', file, '-T', 'fields', '-e', 'tls.handshake.type', '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.version', '-e', 'tls.handshake.extensions_server_name'], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  return { s: Number(process.hrtime.bigint() - t) / 1e9, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, lines: r.stdout.toString().split('\n').filter((l) => l.trim()).length };
}

/** The whole `wildtls passive` command of the checkout at `root`, on one core; records written to a file and counted. */
function timeCli(root, file, port) {
  const out = join(dir, 'out.jsonl');
  rmSync(out, { force: true });
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', 'taskset', '-c', '0', process.execPath, join(root, 'packages/cli/bin/run.js'), 'passive', file, '--ports', `https=${port}`, '-o', out, '-q'],
    // cwd outside every checkout: plugins resolve from the working directory first, so from a checkout another build's CLI would load that checkout's plugins and core too.
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg') }, maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const err = r.stderr.toString();
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(err);
  if (r.status !== 0 || !m) throw new Error(`wildtls passive at ${root} failed (${r.status}): ${err.slice(-2000)}`);
  return { s, cpu: Number(m[1]) + Number(m[2]), records: readFileSync(out, 'utf8').split('\n').filter((l) => l.trim()).length };
}

try {
  console.log(`# passive-capture bench: node ${process.version}, ${cpus()[0].model} x${cpus().length}, load before ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const bulk = join(dir, 'bulk.pcap');
  const hs = join(dir, 'handshakes.pcap');
  const { log: bulkLog, port: bulkPort } = await makeBulk(bulk, Number(opt['bulk-mb']));
  const { log: hsLog, port: hsPort } = await makeHandshakes(hs, Number(opt.handshakes));
  const clis = [['wildtls passive (this checkout)', resolve('.')], ...(opt.cli ? [[`wildtls passive (--cli ${opt.cli})`, resolve(opt.cli)]] : [])];
  console.log(`captures: bulk ${(statSync(bulk).size / 1e6).toFixed(1)} MB, handshakes ${(statSync(hs).size / 1e6).toFixed(1)} MB; tcpdump: ${[bulkLog, hsLog].map((l) => (/(\d+) packets dropped by kernel/.exec(l) ?? [])[1]).join(' / ')} dropped`);
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const [name, file, port] of [['bulk transfer', bulk, bulkPort], ['handshakes', hs, hsPort]]) {
    const size = statSync(file).size;
    const w = []; const k = []; const wc = []; const kc = [];
    const ow = []; const oc = [];
    const cw = clis.map(() => []); const cc = clis.map(() => []); const recs = clis.map(() => 0);
    let stats; let counts; let lines = 0;
    for (let r = 0; r < Number(opt.rounds); r++) {
      const a = await timeWildtls(file); w.push(a.s); wc.push(a.cpu); stats = a.stats; counts = a.counts;
      const b = timeTshark(file); k.push(b.s); kc.push(b.cpu); lines = b.lines;
      if (otherCore) { const o = await timeWildtls(file, otherCore); ow.push(o.s); oc.push(o.cpu); }
      // alternate the checkouts' order between rounds, so neither always runs right after tshark
      const order = clis.map((_, i) => i); if (r % 2) order.reverse();
      for (const i of order) { const c = timeCli(clis[i][1], file, port); cw[i].push(c.s); cc[i].push(c.cpu); recs[i] = c.records; }
    }
    const ws = med(w); const ks = med(k);
    console.log(`\n## ${name}: ${(size / 1e6).toFixed(1)} MB, ${stats.packets} packets, ${stats.flows} flows, TLS records ${counts.records} (handshake ${counts.handshakeRecords}), gaps ${stats.gaps}; tshark printed ${lines} lines`);
    console.log(`PART wildtls (this checkout: reader + reassembly + TLS record headers): median ${ws.toFixed(3)} s = ${(size / 1e6 / ws).toFixed(1)} MB/s, ${(stats.packets / ws / 1e3).toFixed(1)} k packets/s   [runs ${w.map((x) => x.toFixed(3)).join(' ')}]`);
    console.log(`tshark -T fields (one core):                      median ${ks.toFixed(3)} s = ${(size / 1e6 / ks).toFixed(1)} MB/s, ${(stats.packets / ks / 1e3).toFixed(1)} k packets/s   [runs ${k.map((x) => x.toFixed(3)).join(' ')}]`);
    const wcm = med(wc); const kcm = med(kc);
    console.log(`CPU time (user + system), median: wildtls ${wcm.toFixed(3)} s = ${(size / 1e6 / wcm).toFixed(1)} MB/s, ${(stats.packets / wcm / 1e3).toFixed(1)} k packets/s; tshark ${kcm.toFixed(3)} s   [wildtls ${wc.map((x) => x.toFixed(3)).join(' ')}; tshark ${kc.map((x) => x.toFixed(3)).join(' ')}]`);
    console.log(`ratio tshark/wildtls (PART: reader + reassembly + record headers): wall ${(ks / ws).toFixed(1)}x, CPU ${(kcm / wcm).toFixed(1)}x`);
    if (otherCore) console.log(`PART with --cli ${opt.cli}'s reader: median wall ${med(ow).toFixed(3)} s, CPU ${med(oc).toFixed(3)} s = ${(size / 1e6 / med(oc)).toFixed(1)} MB/s; ratio tshark/wildtls: wall ${(ks / med(ow)).toFixed(1)}x, CPU ${(kcm / med(oc)).toFixed(1)}x   [CPU ${oc.map((x) => x.toFixed(3)).join(' ')}]`);
    clis.forEach(([label], i) => {
      const s = med(cw[i]); const c = med(cc[i]);
      console.log(`WHOLE COMMAND ${label}, ${recs[i]} records written: median wall ${s.toFixed(3)} s, CPU ${c.toFixed(3)} s = ${(size / 1e6 / c).toFixed(1)} MB/s; ratio tshark/wildtls: wall ${(ks / s).toFixed(2)}x, CPU ${(kcm / c).toFixed(2)}x   [wall ${cw[i].map((x) => x.toFixed(3)).join(' ')}; CPU ${cc[i].map((x) => x.toFixed(3)).join(' ')}]`);
    });
  }
  const flowsFile = join(dir, 'flows.pcap');
  const oneFile = join(dir, 'one-flow.pcap');
  const nflows = Number(opt.flows);
  await makeFlows(flowsFile, nflows);
  await makeFlows(oneFile, 1);
  const child = (file) => JSON.parse(spawnSync(process.execPath, ['--max-old-space-size=4096', 'bench/passive-capture.mjs', '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 }).stdout);
  const many = child(flowsFile); const one = child(oneFile);
  console.log(`\n## memory: ${nflows} concurrent flows (SYN + 200 bytes each, no FIN), ${(statSync(flowsFile).size / 1e6).toFixed(1)} MB capture`);
  console.log(`peak RSS ${(many.maxRssKiB / 1024).toFixed(0)} MiB (${many.flows} flows) vs ${(one.maxRssKiB / 1024).toFixed(0)} MiB reading a 1-flow capture: ${(((many.maxRssKiB - one.maxRssKiB) * 1024) / nflows).toFixed(0)} bytes per concurrent flow`);
  console.log(`\nload after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
