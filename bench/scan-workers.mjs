// Scan throughput with --workers 1 and 2 (issue 15, item 3), beside a Go
// crypto/tls client at the same concurrency, over the same loopback farm.
// Loopback only, bounded in count and time.
//
//   npx tsc -b && node bench/scan-workers.mjs [--passes 3] [--conc 500]
//
// Farm: nginx (2 worker processes, TLS 1.3 only, ECDSA P-256 leaf + intermediate
// + root sent: a 3-certificate chain, no session tickets) on 127.0.55.0-255 x 16
// ports = 4,096 targets. wildtls: the real CLI (`wildtls scan -p tls`, default
// profile and fallback, JSONL output file, progress off, rate unlimited,
// --per-network above the concurrency), run once over 254 targets (one port)
// and once over 4,096 (16 ports); the steady-state throughput is the marginal
// one, (4,096 - 256) / (wall(4,096) - wall(256)), so start-up (config, plugins,
// worker threads) is left out; CPU (user+sys of the whole process, /usr/bin/time)
// per target likewise. Go: bench/go-tls-client (handshake mode only: it has no
// scan mode on this branch) built with `go build`, -conc the same, 4,096
// completed TLS 1.3 handshakes per pass over the farm's 256 addresses (first
// port) after 1,000 warm-up ones; targets/s = handshakes / wall time of the
// round (measured inside the client: no start-up to exclude).
// Passes alternate the order (w1, w2, go; then go, w2, w1; ...); the median
// pass is reported.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CLI = join(ROOT, 'packages/cli/bin/run.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PASSES = arg('--passes', 3);
const CONC = arg('--conc', 500);
const HOSTS = Array.from({ length: 256 }, (_, i) => `127.0.55.${i}`);
const PORTS = Array.from({ length: 16 }, (_, i) => 18443 + i);

function startNginx(dir) {
  const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl('req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=bench root', '-days', '2');
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  ossl('req', ...ec, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=bench intermediate');
  ossl('x509', '-req', '-in', 'int.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.crt', '-days', '2', '-extfile', 'ca.ext');
  ossl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2');
  writeFileSync(join(dir, 'chain.crt'), ['leaf.crt', 'int.crt', 'root.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join(''));
  const listens = PORTS.flatMap((p) => HOSTS.map((h) => `    listen ${h}:${p} ssl;`)).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
worker_rlimit_nofile 20000;
events { worker_connections 8000; }
http {
  access_log off;
  client_body_temp_path ${dir}/t; proxy_temp_path ${dir}/t; fastcgi_temp_path ${dir}/t; uwsgi_temp_path ${dir}/t; scgi_temp_path ${dir}/t;
  server {
${listens}
    ssl_certificate ${dir}/chain.crt; ssl_certificate_key ${dir}/leaf.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    location / { return 200 "ok\\n"; }
  }
}
`);
  return spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
}

async function waitPort(host, port) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = connect({ host, port }, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} not up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One CLI scan under /usr/bin/time: wall s, CPU s, records and their statuses. Bounded: 300 s. */
function scan(dir, workers, ports) {
  const out = join(dir, `w${workers}-${ports.length}.jsonl`);
  const timing = join(dir, 'time.txt');
  const args = ['-f', '%e %U %S', '-o', timing, process.execPath, CLI, 'scan', '127.0.55.0/24', '-p', 'tls', ...ports.flatMap((p) => ['--port', String(p)]),
    '--allow', '127.0.0.0/8', '--rate', '0', '--concurrency', String(CONC), '--per-network', '100000', '--workers', String(workers),
    '--progress', 'off', '--log-level', 'warn', '-q', '-o', out, '--set', 'scan.connectRetries=0'];
  execFileSync('/usr/bin/time', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const [wall, user, sys] = readFileSync(timing, 'utf8').trim().split(/\s+/).map(Number);
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const ok = lines.filter((l) => l.includes('"status":"success"') && l.includes('"version":"TLSv1.3"')).length;
  rmSync(out);
  return { wall, cpu: user + sys, n: lines.length, ok };
}

function buildGo(dir) {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const bin = join(dir, 'go-tls-client');
  execFileSync('go', ['build', '-o', bin, 'main.go'], { cwd: join(ROOT, 'bench/go-tls-client'), stdio: 'inherit', env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, 'gocache') } });
  return bin;
}

/** Go crypto/tls, TLS 1.3 completed: 4,096 handshakes over the farm's addresses (its first port), after a warm-up. */
function go(bin) {
  const stdout = execFileSync(bin, ['-hosts', HOSTS.join(','), '-port', String(PORTS[0]), '-hello', '160301000400000000', '-n', String(HOSTS.length * PORTS.length), '-warm', '1000', '-rounds', '1', '-conc', String(CONC)], { timeout: 120_000, maxBuffer: 1 << 20 });
  const tls13 = Object.values(JSON.parse(stdout.toString())).flat().find((r) => r.label.includes('completed, TLS 1.3'));
  return { wall: tls13.wallS, n: tls13.n, ok: tls13.ok };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-workers-'));
  const nginx = startNginx(dir);
  try {
    for (const p of [PORTS[0], PORTS.at(-1)]) {
      await waitPort(HOSTS[0], p);
      await waitPort(HOSTS.at(-1), p);
    }
    const goBin = buildGo(dir);
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`farm: nginx, 2 worker processes, TLS 1.3, ECDSA P-256 3-certificate chain, ${HOSTS.length} addresses x ${PORTS.length} ports; concurrency ${CONC}; ${PASSES} passes`);
    if (!goBin) console.log('go: not installed (apt-get install golang-go): the Go column is left out');
    // Warm the farm and the file cache once.
    scan(dir, 1, PORTS.slice(0, 1));
    const runs = { w1: [], w2: [], go: [] };
    for (let pass = 0; pass < PASSES; pass++) {
      const order = pass % 2 === 0 ? ['w1', 'w2', 'go'] : ['go', 'w2', 'w1'];
      for (const who of order) {
        if (who === 'go') {
          if (goBin) runs.go.push(go(goBin));
          continue;
        }
        const workers = who === 'w1' ? 1 : 2;
        const small = scan(dir, workers, PORTS.slice(0, 1));
        const large = scan(dir, workers, PORTS);
        runs[who].push({ small, large, rate: (large.n - small.n) / (large.wall - small.wall), cpuPerTarget: (large.cpu - small.cpu) / (large.n - small.n), total: large.n / large.wall });
      }
      console.log(`pass ${pass + 1} done; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    }
    console.log('\n| scanner | targets/s, steady state: median of passes (each pass) | targets/s over the whole 4,096-target run, start-up included | CPU ms per target (marginal) | TLS 1.3 completed |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const who of ['w1', 'w2']) {
      const r = runs[who];
      const label = who === 'w1' ? 'wildtls scan --workers 1' : 'wildtls scan --workers 2';
      console.log(`| ${label} | ${median(r.map((x) => x.rate)).toFixed(0)} (${r.map((x) => x.rate.toFixed(0)).join(', ')}) | ${median(r.map((x) => x.total)).toFixed(0)} | ${median(r.map((x) => x.cpuPerTarget * 1000)).toFixed(2)} | ${r.map((x) => `${x.large.ok}/${x.large.n}`).join(', ')} |`);
    }
    if (goBin) {
      const r = runs.go;
      console.log(`| Go crypto/tls client (bench/go-tls-client, handshake mode) | ${median(r.map((x) => x.n / x.wall)).toFixed(0)} (${r.map((x) => (x.n / x.wall).toFixed(0)).join(', ')}) | - | - | ${r.map((x) => `${x.ok}/${x.n}`).join(', ')} |`);
    }
    const w1 = median(runs.w1.map((x) => x.rate));
    const w2 = median(runs.w2.map((x) => x.rate));
    console.log(`\nscaling, --workers 2 / --workers 1: ${(w2 / w1).toFixed(2)}x${goBin ? `; --workers 2 / Go: ${(w2 / median(runs.go.map((x) => x.n / x.wall))).toFixed(2)}x` : ''}`);
    console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    nginx.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
