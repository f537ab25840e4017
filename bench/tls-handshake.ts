/**
 * TLS handshake engine benchmark (bounded in count and time; loopback only).
 *
 *   npx tsc -b packages/core && npx tsc -p bench/tsconfig.tls-handshake.json && node --expose-gc bench/dist/tls-handshake.js [--quick]
 *
 * 1. Client CPU per handshake (user+sys of this process from process.cpuUsage,
 *    start-up and warm-up excluded) against one nginx listening on 250 loopback
 *    addresses (127.0.20.1-250:8443, RSA-2048 leaf + CA chain): the raw engine
 *    in observe-only and completed modes, TLS 1.3 (modern) and TLS 1.2 (compat),
 *    beside NodeTlsEngine doing the same job, and `openssl s_time -new` in the
 *    same run (its "connections per user second" inverted).
 * 2. Memory per in-flight handshake: 5,000 handshakes waiting on a silent
 *    server (a child process accepting on 250 addresses and never answering);
 *    RSS and heap+external growth over the idle baseline, divided by 5,000.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeTlsEngine, RawTlsEngine, resolveProfile, type TlsEngine, type TlsProfileRef } from '@wildtls/core';

const quick = process.argv.includes('--quick');
const FARM = Array.from({ length: 250 }, (_, i) => `127.0.20.${i + 1}`);
const PORT = 8443;
const SILENT_PORT = 8444;

function startNginx(dir: string): ChildProcess {
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bench CA', '-days', '2');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2');
  writeFileSync(join(dir, 'chain.crt'), readFileSync(join(dir, 'leaf.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'));
  const listens = FARM.map((h) => `    listen ${h}:${PORT} ssl;`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
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
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    location / { return 200 "ok\\n"; }
  }
}
`);
  return spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
}

async function waitPort(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host, port }, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} not up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** The floor under any engine: the same socket work with no TLS processing at all. */
class FloorEngine implements TlsEngine {
  readonly name = 'floor';
  handshake(socket: Socket, o: { profile: TlsProfileRef }): Promise<{ info: { chain: string[]; ocspStapled: boolean; completed: boolean } }> {
    return new Promise((resolve) => {
      socket.once('data', () => resolve({ info: { chain: [], ocspStapled: false, completed: false } }));
      socket.write(floorHello(o.profile));
    });
  }
}

let cachedHello: Buffer | undefined;
/** One ClientHello from the raw engine, reused: the floor engine sends bytes but builds nothing. */
function floorHello(profile: TlsProfileRef): Buffer {
  if (cachedHello) return cachedHello;
  const fake = { write: (b: Buffer) => ((cachedHello = Buffer.from(b)), true), on: () => fake, off: () => fake, once: () => fake, resume: () => fake, destroy: () => fake, pause: () => fake, destroyed: false };
  void new RawTlsEngine().handshake(fake as unknown as Socket, { profile, observeOnly: true, readTimeoutMs: 1, maxBytes: 1 });
  return cachedHello!;
}

interface RunResult { label: string; n: number; ok: number; cpuMsPerHs: number; wallS: number; version?: string; suite?: string }

/** N handshakes at a fixed concurrency, round-robin over the farm; CPU of this process per handshake. */
async function runMode(label: string, engine: TlsEngine, profile: TlsProfileRef, observeOnly: boolean, n: number, conc: number): Promise<RunResult> {
  let next = 0;
  let ok = 0;
  let version: string | undefined;
  let suite: string | undefined;
  const one = async (i: number) => {
    const sock = await openSocket(FARM[i % FARM.length]!, PORT);
    sock.on('error', () => {});
    const r = await engine.handshake(sock, { profile, observeOnly, readTimeoutMs: 5000, maxBytes: 1 << 20 });
    if (!r.info.error) {
      ok++;
      version = r.info.version;
      suite = r.info.cipherSuite?.name;
    }
    r.stream?.destroy();
    sock.destroy();
  };
  const worker = async () => {
    while (next < n) await one(next++);
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, worker));
  const c = process.cpuUsage(c0);
  return { label, n, ok, cpuMsPerHs: (c.user + c.system) / 1000 / n, wallS: (performance.now() - t0) / 1000, version, suite };
}

function sTime(args: string[], seconds: number): string {
  const out = execFileSync('openssl', ['s_time', '-connect', `${FARM[0]}:${PORT}`, '-new', '-time', String(seconds), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /(\d+) connections in ([\d.]+)s; ([\d.]+) connections\/user sec/.exec(out);
  if (!m) return `unparsed: ${out.slice(0, 200)}`;
  return `${m[1]} handshakes in ${m[2]} s user CPU, ${(1000 / Number(m[3])).toFixed(3)} ms user CPU per handshake`;
}

async function memory(total: number): Promise<{ rssKiB: number; heapKiB: number; rssPerHs: number; heapPerHs: number; done: number }> {
  const child = fork(new URL(import.meta.url), ['--silent-server'], { stdio: 'ignore' });
  await new Promise<void>((r) => child.once('message', () => r()));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m0 = process.memoryUsage();
  const engine = new RawTlsEngine();
  const profile = resolveProfile('modern', {});
  const socks: Socket[] = [];
  const pending: Promise<unknown>[] = [];
  let opened = 0;
  // Open in batches so the backlog keeps up; every handshake has sent its ClientHello and waits.
  for (let i = 0; i < total; i += 250) {
    const batch = await Promise.all(FARM.slice(0, Math.min(250, total - i)).map((h) => openSocket(h, SILENT_PORT).catch(() => undefined)));
    for (const s of batch) {
      if (!s) continue;
      opened++;
      s.on('error', () => {});
      socks.push(s);
      pending.push(engine.handshake(s, { profile, observeOnly: false, readTimeoutMs: 60000, maxBytes: 1 << 20 }));
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  const m1 = process.memoryUsage();
  for (const s of socks) s.destroy();
  await Promise.all(pending);
  child.send('stop');
  const rss = m1.rss - m0.rss;
  const heap = m1.heapUsed + m1.external - m0.heapUsed - m0.external;
  return { rssKiB: rss / 1024, heapKiB: heap / 1024, rssPerHs: rss / 1024 / opened, heapPerHs: heap / 1024 / opened, done: opened };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-tls-'));
  const nginx = startNginx(dir);
  try {
    await waitPort(FARM[0]!, PORT);
    await waitPort(FARM.at(-1)!, PORT);
    const raw = new RawTlsEngine();
    const node = new NodeTlsEngine();
    const modern = resolveProfile('modern', {});
    const compat = resolveProfile('compat', {});
    const n = quick ? 500 : 3000;
    const conc = 16;
    const modes: [string, TlsEngine, TlsProfileRef, boolean][] = [
      ['raw observe-only, TLS 1.2 (compat)', raw, compat, true],
      ['raw observe-only, TLS 1.3 (modern)', raw, modern, true],
      ['raw completed, TLS 1.3 (modern)', raw, modern, false],
      ['raw completed, TLS 1.2 ECDHE (compat)', raw, compat, false],
      ['node:tls completed (its default offer: TLS 1.3)', node, modern, false],
      ['baseline: TCP connect, ClientHello, first reply, close (no TLS parsing)', new FloorEngine(), compat, true],
    ];
    // Warm-up (JIT, nginx session caches) excluded from the figures.
    for (const [label, e, p, o] of modes) await runMode(label, e, p, o, 300, conc);
    const results: RunResult[] = [];
    for (const [label, e, p, o] of modes) results.push(await runMode(label, e, p, o, n, conc));
    const sTime13 = sTime(['-tls1_3'], quick ? 2 : 4);
    const sTime12 = sTime(['-tls1_2'], quick ? 2 : 4);
    const mem = await memory(quick ? 1000 : 5000);

    const cpu = cpus()[0]?.model ?? 'unknown';
    console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}, nginx 1 worker on ${FARM.length} addresses`);
    console.log(`handshakes per mode: ${n}, concurrency ${conc}, warm-up 300 per mode excluded`);
    console.log('| mode | negotiated | ok | client CPU per handshake (ms) | wall (s) |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of results) console.log(`| ${r.label} | ${r.version ?? '-'} ${r.suite ?? ''} | ${r.ok}/${r.n} | ${r.cpuMsPerHs.toFixed(3)} | ${r.wallS.toFixed(2)} |`);
    console.log(`openssl s_time -new -tls1_3: ${sTime13}`);
    console.log(`openssl s_time -new -tls1_2: ${sTime12}`);
    console.log(`memory: ${mem.done} handshakes in flight: RSS +${mem.rssKiB.toFixed(0)} KiB (${mem.rssPerHs.toFixed(1)} KiB each), heap+external +${mem.heapKiB.toFixed(0)} KiB (${mem.heapPerHs.toFixed(1)} KiB each)`);
  } finally {
    nginx.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------ silent server (child)
if (process.argv.includes('--silent-server')) {
  const held: Socket[] = [];
  let up = 0;
  for (const host of FARM) {
    const s = createServer((c) => {
      c.on('error', () => {});
      held.push(c);
    });
    s.listen({ host, port: SILENT_PORT, backlog: 2048 }, () => {
      if (++up === FARM.length) process.send?.('ready');
    });
  }
  process.on('message', () => process.exit(0));
} else {
  await main();
}
