#!/usr/bin/env node
// The product path's marginal CPU per probe, before vs after a change, in one run.
//
// Starts nginx (TLS 1.3 only, a 3-certificate ECDSA chain) on 127.0.54.1-250 x 8 ports
// (or, with --protocol smtp, a small Node SMTP STARTTLS server on the same endpoints), then runs
// the real `wildtls scan` CLI of each build (JSONL output file, progress off, rate 0,
// concurrency 50) at two target counts, alternating builds, several passes. The marginal
// client CPU (user+sys) between the two counts, divided by the extra probes, excludes
// start-up. Also, with --startup N: the CPU of a one-target scan of a closed port (median
// of N runs per build, alternating).
//
// node bench/scan-path.mjs --before /tmp/wildtls-before --after . [--passes 3] [--low 200] [--high 2000]
//   [--protocol tls|smtp] [--profile study] [--startup 10]
// Every connection goes to 127.0.54.0/24; the scans are bounded by their target lists.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { Socket, createServer } from 'node:net';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: '.' },
    passes: { type: 'string', default: '3' },
    low: { type: 'string', default: '200' },
    high: { type: 'string', default: '2000' },
    protocol: { type: 'string', default: 'tls' },
    profile: { type: 'string', default: 'study' },
    startup: { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '50' },
    prof: { type: 'boolean', default: false },
    serve: { type: 'string', default: '0' },
    // Also run the after build with key-share reuse off (a third build in the alternation).
    'no-reuse': { type: 'boolean', default: false },
    // Internal: run the SMTP server (a child process: the parent blocks in spawnSync while scans run).
    'smtp-child': { type: 'string' },
  },
});
const PORTS = [20401, 20402, 20403, 20404, 20405, 20406, 20407, 20408];
const dir = mkdtempSync(join(tmpdir(), 'scan-path-'));
if (opt['smtp-child']) {
  const d = opt['smtp-child'];
  startSmtp({ chain: readFileSync(join(d, 'chain.pem'), 'utf8'), key: readFileSync(join(d, 'leaf.key'), 'utf8') });
  // Bounded: the parent kills this process by pid; it also ends on its own after an hour.
  setTimeout(() => process.exit(0), 3_600_000);
  await new Promise(() => {}); // the servers keep it alive; nothing below runs in the child
}

/** @type {Array<[string, string, string[]]>} */
const builds = [['before', opt.before, []], ['after', opt.after, []], ...(opt['no-reuse'] ? [['after-no-reuse', opt.after, ['--set', 'tls.keyShareReuse.handshakes=1']]] : [])]
  .filter(([, p]) => p).map(([n, p, extra]) => [n, resolve(p), extra]);

function openssl(args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** root -> intermediate -> leaf, all ECDSA P-256; returns the chain PEM (leaf first) and the key. */
function makeChain() {
  const ext = join(dir, 'ca.ext');
  writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  for (const n of ['root', 'int', 'leaf']) openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${n}.key`]);
  openssl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=bench root', '-days', '30', '-out', 'root.pem']);
  openssl(['req', '-new', '-key', 'int.key', '-subj', '/CN=bench intermediate', '-out', 'int.csr']);
  openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', 'int.pem']);
  openssl(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=bench.test', '-out', 'leaf.csr']);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-days', '30', '-out', 'leaf.pem']);
  const chain = ['leaf.pem', 'int.pem', 'root.pem'].map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  writeFileSync(join(dir, 'chain.pem'), chain);
  return { chain, key: readFileSync(join(dir, 'leaf.key'), 'utf8') };
}

function nginxAddrs() {
  return Array.from({ length: 250 }, (_, i) => `127.0.54.${i + 1}`);
}

async function startNginx() {
  const nd = join(dir, 'nginx');
  mkdirSync(join(nd, 'tmp'), { recursive: true });
  const listens = nginxAddrs().flatMap((ip) => PORTS.map((p) => `    listen ${ip}:${p} ssl;`)).join('\n');
  writeFileSync(join(nd, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${nd}/nginx.pid;
error_log ${nd}/error.log;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${nd}/tmp; proxy_temp_path ${nd}/tmp; fastcgi_temp_path ${nd}/tmp; uwsgi_temp_path ${nd}/tmp; scgi_temp_path ${nd}/tmp;
  server {
${listens}
    ssl_certificate ${dir}/chain.pem;
    ssl_certificate_key ${dir}/leaf.key;
    ssl_protocols TLSv1.3;
    location / { return 204; }
  }
}
`);
  const child = spawn('/usr/sbin/nginx', ['-p', nd, '-c', join(nd, 'nginx.conf'), '-e', join(nd, 'error.log')], { stdio: 'ignore' });
  await waitListening('127.0.54.250', PORTS[7]);
  return child;
}

/** A small SMTP server: banner, EHLO, STARTTLS, TLS 1.3, EHLO, QUIT. */
function startSmtp({ chain, key }) {
  const ctx = createSecureContext({ cert: chain, key, minVersion: 'TLSv1.3' });
  const servers = [];
  for (const [ip, port] of nginxAddrs().flatMap((a) => PORTS.map((p) => [a, p]))) {
    const srv = createServer((sock) => {
      sock.on('error', () => {});
      sock.setTimeout(10_000, () => sock.destroy());
      const dialog = (s, onStartTls) => {
        let buf = '';
        s.on('data', (d) => {
          buf += d.toString('latin1');
          if (buf.length > 4096) return s.destroy();
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim().toUpperCase();
            buf = buf.slice(nl + 1);
            if (line.startsWith('EHLO')) s.write('250-bench.test\r\n250-PIPELINING\r\n' + (onStartTls ? '250-STARTTLS\r\n' : '') + '250 8BITMIME\r\n');
            else if (line === 'STARTTLS' && onStartTls) {
              s.removeAllListeners('data');
              s.write('220 go ahead\r\n', () => onStartTls());
              return;
            } else if (line === 'QUIT') return s.end('221 bye\r\n');
            else s.write('502 no\r\n');
          }
        });
      };
      sock.write('220 bench.test ESMTP\r\n');
      dialog(sock, () => {
        const t = new TLSSocket(sock, { isServer: true, secureContext: ctx });
        t.on('error', () => sock.destroy());
        dialog(t, undefined);
      });
    });
    srv.listen(port, ip);
    servers.push(srv);
  }
  return servers;
}

async function waitListening(host, port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((res) => {
      const s = new Socket();
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
      s.connect(port, host);
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

/** Target lists: `n` probes as address lines (x 8 ports). */
function targetsFile(n) {
  const f = join(dir, `targets-${opt.protocol}-${n}.txt`);
  writeFileSync(f, nginxAddrs().slice(0, Math.ceil(n / PORTS.length)).join('\n') + '\n');
  return f;
}

function scanArgs(n, out) {
  const common = ['--input', targetsFile(n), '--allow', '127.0.0.0/8', '--output', out, '--progress', 'off', '--rate', '0',
    '--concurrency', opt.concurrency, '--per-network', opt.concurrency, '--profile', opt.profile, '--quiet', '--order', 'sequential'];
  if (opt.protocol === 'tls') return ['scan', '-p', 'tls', ...PORTS.flatMap((p) => ['--port', String(p)]), ...common];
  return ['scan', '-p', 'smtp', ...PORTS.flatMap((p) => ['--port', String(p)]), ...common];
}

/** Run a command, return the child's CPU seconds (user+sys) from GNU time. */
function cpuOf(cwd, args) {
  const tf = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', tf, process.execPath, join(cwd, 'packages/cli/bin/run.js'), ...args],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`scan failed (${r.status} ${r.signal} ${r.error?.message}): ${r.stderr.slice(-2000)}`);
  const [u, s, maxKb] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { cpu: u + s, maxKb };
}

function countLines(f) {
  const text = readFileSync(f, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  const ok = lines.filter((l) => JSON.parse(l).status === 'success').length;
  return { lines: lines.length, ok };
}

/** --prof: one high scan of the last build under --cpu-prof; prints the top self times (by function and file). */
function profile(cwd, args) {
  const pd = join(dir, 'prof');
  spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', pd, join(cwd, 'packages/cli/bin/run.js'), ...args], { cwd: dir, stdio: 'ignore', timeout: 300_000 });
  const file = readdirSync(pd).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(pd, file), 'utf8'));
  const self = new Map();
  const byId = new Map(prof.nodes.map((nd) => [nd.id, nd]));
  const dt = new Map();
  prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const [id, t] of dt) {
    const cf = byId.get(id).callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*node_modules\//, 'nm/').replace(/^.*\/(packages|plugins)\//, '$1/')}:${cf.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + t);
    total += t;
  }
  console.log(`profile ${join(pd, file)}: ${(total / 1e6).toFixed(2)} s sampled`);
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}% ${k}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`# scan-path: ${cpus().length} CPUs (${cpus()[0].model}), node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const procs = [];
const servers = [];
try {
  makeChain();
  if (opt.protocol === 'tls') procs.push(await startNginx());
  else {
    procs.push(spawn(process.execPath, [process.argv[1], '--smtp-child', dir], { stdio: 'ignore' }));
    await waitListening('127.0.54.250', PORTS[7]);
  }
  if (Number(opt.serve) > 0) {
    // Keep the endpoints up for manual runs (bounded).
    console.log(`serving for ${opt.serve} s; targets: ${targetsFile(Number(opt.high))}; args: ${scanArgs(Number(opt.high), 'out.jsonl').join(' ')}`);
    await new Promise((r) => setTimeout(r, Number(opt.serve) * 1000));
  }
  if (opt.prof) {
    profile(builds.at(-1)[1], scanArgs(Number(opt.high), join(dir, 'prof.jsonl')));
    process.exitCode = 0;
  }
  const low = Number(opt.low);
  const high = Number(opt.high);
  const per = Object.fromEntries(builds.map(([n]) => [n, []]));
  // Warm-up: one small scan per build (page cache, nginx session state).
  for (const [, path, extra] of builds) cpuOf(path, [...scanArgs(low, join(dir, 'warm.jsonl')), ...extra]);
  for (let pass = 0; pass < Number(opt.passes); pass++) {
    for (const [name, path, extra] of pass % 2 ? [...builds].reverse() : builds) {
      const outL = join(dir, `${name}-low.jsonl`);
      const outH = join(dir, `${name}-high.jsonl`);
      const a = cpuOf(path, [...scanArgs(low, outL), ...extra]);
      const b = cpuOf(path, [...scanArgs(high, outH), ...extra]);
      const cl = countLines(outL);
      const ch = countLines(outH);
      const usPerProbe = ((b.cpu - a.cpu) / (ch.lines - cl.lines)) * 1e6;
      per[name].push(usPerProbe);
      console.log(`pass ${pass} ${name}: ${cl.lines} probes ${a.cpu.toFixed(2)} s, ${ch.lines} probes (${ch.ok} ok) ${b.cpu.toFixed(2)} s, ` +
        `marginal ${usPerProbe.toFixed(0)} us/probe, max RSS ${(b.maxKb / 1024).toFixed(0)} MiB, output ${statSync(outH).size} B`);
    }
  }
  for (const [name] of builds) console.log(`${name}: median marginal CPU ${median(per[name]).toFixed(0)} us/probe (${opt.protocol}, profile ${opt.profile})`);
  for (const name of ['after', 'after-no-reuse']) {
    if (per.before?.length && per[name]?.length) console.log(`${name}/before: ${(median(per[name]) / median(per.before)).toFixed(3)}`);
  }
  const n = Number(opt.startup);
  if (n > 0) {
    const st = Object.fromEntries(builds.map(([b]) => [b, []]));
    const args = ['scan', '127.0.54.1', '--protocol', 'smtp', '--port', '20499', '--allow', '127.0.0.0/8', '--output', join(dir, 'one.jsonl'), '--quiet'];
    for (let i = 0; i < n; i++) for (const [name, path, extra] of i % 2 ? [...builds].reverse() : builds) st[name].push(cpuOf(path, [...args, ...extra]).cpu);
    for (const [name] of builds) console.log(`${name}: one-target scan start-up CPU median ${median(st[name]).toFixed(3)} s (of ${n}: ${st[name].map((x) => x.toFixed(2)).join(' ')})`);
  }
  console.log(`# load at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const p of procs) p.kill('SIGTERM');
  for (const s of servers) s.close();
}
