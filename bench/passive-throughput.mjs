#!/usr/bin/env node
// Throughput of the WHOLE `wildtls passive` command beside tshark extracting the same handshake fields
// (issue 16's Proof), as a marginal cost so that neither tool's start-up counts: each tool reads a small
// and a large capture of the same kind, and throughput = (large - small) bytes, packets, connections
// divided by (large - small) CPU seconds (user + system: wildtls's own getrusage in microseconds,
// bench/lib/cpu-at-exit.mjs; tshark's from /usr/bin/time, in 10 ms ticks of its seconds). The whole-command CPU on the
// large capture (start-up included) is reported beside it.
//
// Captures are made here with tcpdump on lo from bounded local traffic on 127.0.78.0/24:
//  - handshakes: --hs-small and --hs-large TLS connections (Node tls client, TLS 1.3 and 1.2 alternating,
//    SNI and ALPN) to `openssl s_server`, each a full handshake, a few bytes and a close;
//  - bulk: TLS connections (Node client and server) of 10 MB each after the handshake,
//    --bulk-small-mb and --bulk-large-mb megabytes in all.
// Both tools run pinned to one core (taskset -c 0), alternating, in every round:
//  - wildtls: `node packages/cli/bin/run.js passive FILE --ports https=PORT -o OUT.jsonl -q` (real JSONL sink);
//  - tshark: `tshark -r FILE -d tcp.port==PORT,tls -Y tls.handshake -T fields -e ...` (the handshake fields
//    wildtls records per connection), written to a file; a few lines of its output go to the log.
// With --cli ROOT, the same command from another checkout's build too (before/after in one run).
// --dir DIR keeps the captures there and reuses them on the next run (they take minutes to make).
//
// node bench/passive-throughput.mjs [--hs-small 500] [--hs-large 20000] [--bulk-small-mb 100]
//   [--bulk-large-mb 1000] [--rounds 3] [--dir DIR] [--cli ROOT] [--only hs|bulk]
// (--rounds 0 with --dir: make the captures only)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { captureBulk, captureHandshakes } from './lib/loopback-captures.mjs';

const { values: opt } = parseArgs({ options: {
  'hs-small': { type: 'string', default: '500' }, 'hs-large': { type: 'string', default: '20000' },
  'bulk-small-mb': { type: 'string', default: '100' }, 'bulk-large-mb': { type: 'string', default: '1000' },
  rounds: { type: 'string', default: '3' }, dir: { type: 'string' }, cli: { type: 'string' }, only: { type: 'string' },
} });
const core = await import(pathToFileURL(resolve('packages/core/dist/index.js')).href);
const dir = opt.dir ? resolve(opt.dir) : mkdtempSync(join(tmpdir(), 'passive-throughput-'));
mkdirSync(dir, { recursive: true });
const runDir = mkdtempSync(join(dir, 'run-'));

// Captures on this bench's loopback addresses (bench/lib/loopback-captures.mjs makes them).
const makeBulk = (file, megabytes) => captureBulk({ file, dir, megabytes, server: '127.0.78.100', client: '127.0.78.101', servername: 'bulk.example' });
const makeHandshakes = (file, n) => captureHandshakes({ file, dir, n, server: '127.0.78.102', client: '127.0.78.103', parallel: 4, sni: (i) => `host${i % 100}.bench.example`, alpn: ['h2', 'http/1.1'] });

/** Make (or reuse, with --dir) a capture; its packets and connections counted once by core's reader. */
async function capture(name, make, arg) {
  const file = join(dir, `${name}.pcap`);
  const meta = join(dir, `${name}.json`);
  if (!existsSync(meta)) {
    const t = Date.now();
    const made = await make(file, arg);
    const stats = await core.readCaptureFlows([file], () => ({ data() {}, gap() {}, end() {} }), { watchPorts: new Set([made.port]) });
    writeFileSync(meta, JSON.stringify({ ...made, packets: stats.packets, flows: stats.flows, makeSeconds: (Date.now() - t) / 1000 }));
  }
  const m = JSON.parse(readFileSync(meta, 'utf8'));
  return { name, file, bytes: statSync(file).size, ...m };
}

const TSHARK_FIELDS = ['tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'frame.time_epoch', 'tls.record.version', 'tls.handshake.type',
  'tls.handshake.version', 'tls.handshake.ciphersuite', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str',
  'tls.handshake.extensions_supported_group', 'tls.handshake.extensions.supported_version', 'tls.handshake.ja3', 'tls.handshake.ja3s',
  'tls.handshake.certificate', 'tls.alert_message.desc'];

const CPU_AT_EXIT = new URL('./lib/cpu-at-exit.mjs', import.meta.url).pathname;

function cpuOf(stderr) {
  const m = /CPU ([\d.]+) ([\d.]+) RSS (\d+)\s*$/.exec(stderr);
  return m ? { cpu: Number(m[1]) + Number(m[2]), rssKiB: Number(m[3]) } : undefined;
}

function timeTshark(cap) {
  const out = join(runDir, 'tshark.tsv');
  const fd = openSync(out, 'w');
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S RSS %M', 'taskset', '-c', '0', 'tshark', '-r', cap.file, '-d', `tcp.port==${cap.port},tls`, '-Y', 'tls.handshake',
    '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 26 });
  closeSync(fd);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const c = cpuOf(r.stderr.toString());
  if (r.status !== 0 || !c) throw new Error(`tshark failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
  return { s, ...c, out };
}

/** The whole `wildtls passive` command of the checkout at `root`, on one core; records written to a file and counted. */
function timeCli(root, cap) {
  const out = join(runDir, 'out.jsonl');
  rmSync(out, { force: true });
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S RSS %M', 'taskset', '-c', '0', process.execPath, '--import', CPU_AT_EXIT, join(root, 'packages/cli/bin/run.js'), 'passive', cap.file, '--ports', `https=${cap.port}`, '-o', out, '-q'],
    // cwd outside every checkout: plugins resolve from the working directory first
    { cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(runDir, 'xdg') }, maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const err = r.stderr.toString();
  const c = cpuOf(err);
  // The process's own microsecond count where it printed one (GNU time's is in 10 ms ticks).
  const us = /^cpu-us (\d+) (\d+)$/m.exec(err);
  if (c && us) c.cpu = (Number(us[1]) + Number(us[2])) / 1e6;
  if (r.status !== 0 || !c) throw new Error(`wildtls passive at ${root} failed (${r.status}): ${err.slice(-2000)}`);
  const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l.trim());
  return { s, ...c, records: lines.length, out, first: lines[0] };
}

const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const f3 = (x) => x.toFixed(3);
const si = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

function showTshark(out) {
  const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l.trim());
  const cut = (l) => l.split('\t').map((v, i) => `${TSHARK_FIELDS[i]}=${v.length > 60 ? v.slice(0, 60) + '...' : v}`).join(' | ');
  const byType = (t) => lines.find((l) => l.split('\t')[7]?.split(',').includes(t));
  console.log(`  tshark printed ${lines.length} lines; a ClientHello, a ServerHello and a Certificate line:`);
  for (const l of [byType('1'), byType('2'), byType('11')]) if (l) console.log(`    ${cut(l)}`);
}

try {
  console.log(`# passive-throughput bench: node ${process.version}, ${cpus()[0].model} x${cpus().length}, load before ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const tools = [{ label: 'wildtls passive (this checkout)', run: (cap) => timeCli(resolve('.'), cap) },
    ...(opt.cli ? [{ label: `wildtls passive (--cli ${opt.cli})`, run: (cap) => timeCli(resolve(opt.cli), cap) }] : []),
    { label: 'tshark -T fields', run: timeTshark }];
  const kinds = [];
  if (opt.only !== 'bulk') kinds.push(['handshakes', await capture(`hs-${opt['hs-small']}`, makeHandshakes, Number(opt['hs-small'])), await capture(`hs-${opt['hs-large']}`, makeHandshakes, Number(opt['hs-large']))]);
  if (opt.only !== 'hs') kinds.push(['bulk', await capture(`bulk-${opt['bulk-small-mb']}`, makeBulk, Number(opt['bulk-small-mb'])), await capture(`bulk-${opt['bulk-large-mb']}`, makeBulk, Number(opt['bulk-large-mb']))]);
  for (const [kind, small, large] of kinds) {
    console.log(`\n## ${kind}`);
    for (const c of [small, large]) console.log(`capture ${c.name}: ${(c.bytes / 1e6).toFixed(1)} MB, ${c.packets} packets, ${c.flows} connections, tcpdump dropped ${c.dropped}, made in ${c.makeSeconds.toFixed(0)} s`);
    if (Number(opt.rounds) < 1) continue; // --rounds 0: only make the captures (with --dir, for later runs)
    const res = tools.map(() => ({ small: [], large: [], wall: [], rss: [] }));
    for (let r = 0; r < Number(opt.rounds); r++) {
      const order = tools.map((_, i) => i); if (r % 2) order.reverse();
      for (const [which, cap] of [['small', small], ['large', large]]) {
        for (const i of order) {
          const x = tools[i].run(cap);
          res[i][which].push(x.cpu);
          if (which === 'large') { res[i].wall.push(x.s); res[i].rss.push(x.rssKiB); }
          if (r === 0 && which === 'large') {
            if (x.records !== undefined) console.log(`  ${tools[i].label}: ${x.records} records written (capture has ${cap.flows} connections); first: ${x.first.slice(0, 400)}...`);
            else showTshark(x.out);
          }
        }
      }
    }
    const d = { bytes: large.bytes - small.bytes, packets: large.packets - small.packets, conns: large.flows - small.flows };
    const marg = [];
    tools.forEach(({ label }, i) => {
      const s = med(res[i].small); const l = med(res[i].large); const dc = l - s;
      marg.push({ label, dc, l });
      console.log(`${label}: CPU small ${f3(s)} s [${res[i].small.map(f3).join(' ')}], large ${f3(l)} s [${res[i].large.map(f3).join(' ')}], wall large ${f3(med(res[i].wall))} s, peak RSS large ${(med(res[i].rss) / 1024).toFixed(0)} MiB`);
      console.log(`  MARGINAL (extra work / extra CPU, start-up cancelled): ${(d.bytes / 1e6 / dc).toFixed(1)} MB/s, ${si(d.packets / dc)} packets/s, ${si(d.conns / dc)} connections/s`);
      console.log(`  WHOLE COMMAND on the large capture (start-up included): ${(large.bytes / 1e6 / l).toFixed(1)} MB/s, ${si(large.packets / l)} packets/s, ${si(large.flows / l)} connections/s`);
    });
    const ts = marg.at(-1);
    for (const m of marg.slice(0, -1)) console.log(`RATIO tshark/${m.label}: marginal ${(ts.dc / m.dc).toFixed(2)}x, whole command on the large capture ${(ts.l / m.l).toFixed(2)}x`);
  }
  console.log(`\nload after ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  rmSync(runDir, { recursive: true, force: true });
  if (!opt.dir) rmSync(dir, { recursive: true, force: true });
}
