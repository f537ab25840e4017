/**
 * TLS handshake engine benchmark (bounded in count and time; loopback only).
 *
 *   npx tsc -b packages/core && npx tsc -p bench/tsconfig.tls-handshake.json && node --expose-gc bench/dist/tls-handshake.js [--quick]
 *
 * 1. Client CPU per handshake (user+sys of this process from process.cpuUsage,
 *    start-up and warm-up excluded) against one nginx worker listening on 250
 *    loopback addresses with two farms: port 8443 serves an RSA-2048 leaf + CA
 *    chain (the server's signature is the bottleneck: the client idles between
 *    events and pays a wake-up for each), port 8445 an ECDSA P-256 leaf + CA
 *    chain (a fast server: the client is the busy side, as in a scan of many
 *    independent servers). On each farm: the raw engine
 *    in observe-only and completed modes, TLS 1.3 (modern) and TLS 1.2 (compat),
 *    over the scanner's lean socket and over node:net, beside NodeTlsEngine
 *    doing the same job, a Go crypto/tls client (bench/go-tls-client, the
 *    class of zgrab2 that the issue's targets are set against; built with
 *    `go` when it is installed, `apt-get install golang-go`, else skipped),
 *    and `openssl s_time -new` in the same run (its "connections per user
 *    second" inverted). Modes run grouped as a scan
 *    runs (one engine and one socket path per process, see GROUPS), each group
 *    in a fresh child: warmed up (the JIT needs a few thousand handshakes to
 *    settle), then its modes interleaved in rounds; every group runs twice
 *    (groups in order, then reversed) and each mode reports its median round,
 *    so drift of the machine's speed lands on every mode alike.
 * 2. Memory per in-flight handshake, in a fresh child process (so no earlier
 *    garbage is in the baseline): 5,000 handshakes waiting on a silent server
 *    (another child accepting on 250 addresses and never answering); RSS and
 *    heap+external growth over the idle baseline, divided by 5,000.
 */
import { execFile, execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NodeTlsEngine, RawTlsEngine, dialTcp, resolveProfile, type ByteStream, type SocketKind, type TlsEngine, type TlsProfileRef } from '@wildtls/core';

const quick = process.argv.includes('--quick');
const FARM = Array.from({ length: 250 }, (_, i) => `127.0.20.${i + 1}`);
const PORT = 8443;
const SILENT_PORT = 8444;
const EC_PORT = 8445;
const FARMS = [
  { name: 'RSA-2048 farm (server-bound)', port: PORT },
  { name: 'ECDSA P-256 farm (client-bound)', port: EC_PORT },
];

function startNginx(dir: string): ChildProcess {
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bench CA', '-days', '2');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2');
  writeFileSync(join(dir, 'chain.crt'), readFileSync(join(dir, 'leaf.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'));
  ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec-leaf.key', '-out', 'ec-leaf.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'ec-leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'ec-leaf.crt', '-days', '2');
  writeFileSync(join(dir, 'ec-chain.crt'), readFileSync(join(dir, 'ec-leaf.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'));
  const listens = FARM.map((h) => `    listen ${h}:${PORT} ssl;`).join('\n');
  const ecListens = FARM.map((h) => `    listen ${h}:${EC_PORT} ssl;`).join('\n');
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
  server {
${ecListens}
    ssl_certificate ${dir}/ec-chain.crt; ssl_certificate_key ${dir}/ec-leaf.key;
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

/** The scanner's own dial (net/dial.ts): the lean libuv socket or node:net. */
function openSocket(host: string, port: number, kind: SocketKind): Promise<ByteStream> {
  return dialTcp(host, port, { timeoutMs: 5000, kind });
}

/** The floor under any engine: the same socket work with no TLS processing at all. */
class FloorEngine implements TlsEngine {
  readonly name = 'floor';
  handshake(socket: ByteStream, o: { profile: TlsProfileRef }): Promise<{ info: { chain: string[]; ocspStapled: boolean; completed: boolean } }> {
    return new Promise((resolve) => {
      const onData = () => {
        socket.off('data', onData);
        socket.destroy();
        resolve({ info: { chain: [], ocspStapled: false, completed: false } });
      };
      socket.on('data', onData);
      socket.write(floorHello(o.profile));
      socket.resume();
    });
  }
}

let cachedHello: Buffer | undefined;
/** One ClientHello from the raw engine, reused: the floor engine sends bytes but builds nothing. */
function floorHello(profile: TlsProfileRef): Buffer {
  if (cachedHello) return cachedHello;
  const fake = { write: (b: Buffer) => ((cachedHello = Buffer.from(b)), true), on: () => fake, off: () => fake, once: () => fake, resume: () => fake, destroy: () => fake, pause: () => fake, destroyed: false };
  void new RawTlsEngine().handshake(fake as unknown as ByteStream, { profile, observeOnly: true, readTimeoutMs: 1, maxBytes: 1 });
  return cachedHello!;
}

interface RunResult { label: string; n: number; ok: number; cpuMsPerHs: number; wallS: number; version?: string; suite?: string }

/** One mode's rounds: its median and best round. */
interface ModeSummary { label: string; rounds: RunResult[]; median: number; best: number; ok: number; n: number; version?: string; suite?: string }

function summarize(label: string, rounds: RunResult[]): ModeSummary {
  const cpu = rounds.map((r) => r.cpuMsPerHs).sort((a, b) => a - b);
  const last = rounds.at(-1)!;
  return {
    label,
    rounds,
    median: cpu[Math.floor(cpu.length / 2)]!,
    best: cpu[0]!,
    ok: rounds.reduce((s, r) => s + r.ok, 0),
    n: rounds.reduce((s, r) => s + r.n, 0),
    ...(last.version ? { version: last.version } : {}),
    ...(last.suite ? { suite: last.suite } : {}),
  };
}

/** N handshakes at a fixed concurrency, round-robin over the farm; CPU of this process per handshake. */
async function runMode(label: string, engine: TlsEngine, profile: TlsProfileRef, observeOnly: boolean, kind: SocketKind, port: number, n: number, conc: number): Promise<RunResult> {
  let next = 0;
  let ok = 0;
  let version: string | undefined;
  let suite: string | undefined;
  const one = async (i: number) => {
    const sock = await openSocket(FARM[i % FARM.length]!, port, kind);
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

function sTime(port: number, args: string[], seconds: number): string {
  const out = execFileSync('openssl', ['s_time', '-connect', `${FARM[0]}:${port}`, '-new', '-time', String(seconds), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /(\d+) connections in ([\d.]+)s; ([\d.]+) connections\/user sec/.exec(out);
  if (!m) return `unparsed: ${out.slice(0, 200)}`;
  return `${m[1]} handshakes in ${m[2]} s user CPU, ${(1000 / Number(m[3])).toFixed(3)} ms user CPU per handshake`;
}

interface MemoryResult { rssKiB: number; heapKiB: number; rssPerHs: number; heapPerHs: number; done: number }

/** The memory figure from a fresh child process (this process carries the CPU runs' garbage). */
function memoryInChild(total: number): Promise<MemoryResult> {
  const child = fork(new URL(import.meta.url), ['--memory', String(total)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as MemoryResult));
    child.once('exit', (code) => reject(new Error(`memory child exited with ${code}`)));
  });
}

async function memory(total: number): Promise<MemoryResult> {
  const child = fork(new URL(import.meta.url), ['--silent-server'], { stdio: 'ignore' });
  await new Promise<void>((r) => child.once('message', () => r()));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m0 = process.memoryUsage();
  const engine = new RawTlsEngine();
  const profile = resolveProfile('modern', {});
  const socks: ByteStream[] = [];
  const pending: Promise<unknown>[] = [];
  let opened = 0;
  // Open in batches so the backlog keeps up; every handshake has sent its ClientHello and waits.
  for (let i = 0; i < total; i += 250) {
    const batch = await Promise.all(FARM.slice(0, Math.min(250, total - i)).map((h) => openSocket(h, SILENT_PORT, 'lean').catch(() => undefined)));
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

type Mode = [label: string, engine: TlsEngine, profile: TlsProfileRef, observeOnly: boolean, kind: SocketKind];

/**
 * Modes grouped as a scan would run them: one engine, one socket path per
 * process. Each group runs in a fresh child process, because sharing one
 * process makes the hot functions polymorphic (two socket classes) and
 * carries node:tls's heap into the raw engine's figures: measured up to 30%
 * on the lean rows.
 */
const GROUPS: Record<string, () => Mode[]> = {
  'raw-lean': () => {
    const raw = new RawTlsEngine();
    const modern = resolveProfile('modern', {});
    const compat = resolveProfile('compat', {});
    return [
      ['raw observe-only, TLS 1.2 (compat), lean socket', raw, compat, true, 'lean'],
      ['raw observe-only, TLS 1.3 (modern), lean socket', raw, modern, true, 'lean'],
      ['raw completed, TLS 1.3 (modern), lean socket', raw, modern, false, 'lean'],
      ['raw completed, TLS 1.2 ECDHE (compat), lean socket', raw, compat, false, 'lean'],
    ];
  },
  'raw-node': () => {
    const raw = new RawTlsEngine();
    return [
      ['raw observe-only, TLS 1.2 (compat), node:net socket', raw, resolveProfile('compat', {}), true, 'node'],
      ['raw completed, TLS 1.3 (modern), node:net socket', raw, resolveProfile('modern', {}), false, 'node'],
    ];
  },
  'node-tls': () => [['node:tls completed (its default offer: TLS 1.3), node:net socket', new NodeTlsEngine(), resolveProfile('modern', {}), false, 'node']],
  'floor-lean': () => [['baseline: TCP connect, ClientHello, first reply, close (no TLS parsing), lean socket', new FloorEngine(), resolveProfile('compat', {}), true, 'lean']],
  'floor-node': () => [['baseline: TCP connect, ClientHello, first reply, close (no TLS parsing), node:net socket', new FloorEngine(), resolveProfile('compat', {}), true, 'node']],
};

const WARM = quick ? 300 : 2000;
const N = quick ? 300 : 1500;
const ROUNDS_PER_PASS = quick ? 2 : 3;
const CONC = 16;

/** Child: warm a group's modes up, then run them interleaved in rounds; report every round. */
async function runGroup(group: string, port: number): Promise<Record<string, RunResult[]>> {
  const modes = GROUPS[group]!();
  for (const [label, e, p, o, k] of modes) await runMode(label, e, p, o, k, port, WARM, CONC);
  const out: Record<string, RunResult[]> = Object.fromEntries(modes.map(([label]) => [label, []]));
  for (let r = 0; r < ROUNDS_PER_PASS; r++) {
    for (const [label, e, p, o, k] of modes) out[label]!.push(await runMode(label, e, p, o, k, port, N, CONC));
  }
  return out;
}

/** Go crypto/tls, the class of zgrab2, as the same-run reference (bench/go-tls-client; skipped without `go`). */
const GO_LABELS = {
  observe12: 'go observe-only, TLS 1.2 (record framing and message types only)',
  tls13: 'go crypto/tls completed, TLS 1.3',
  tls12: 'go crypto/tls completed, TLS 1.2 ECDHE',
};

function buildGoClient(dir: string): string | undefined {
  const bin = join(dir, 'go-tls-client');
  try {
    // The package is the folder (main.go, scan.go, smtp.go); GOPATH mode needs no go.mod.
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: fileURLToPath(new URL('../go-tls-client/', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GO111MODULE: 'off' } });
    return bin;
  } catch (e) {
    console.log(`(no Go reference: ${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

async function goGroup(bin: string, port: number): Promise<Record<string, RunResult[]>> {
  const hello = floorHello(resolveProfile('compat', {})).toString('hex');
  const args = ['-hosts', FARM.join(','), '-port', String(port), '-hello', hello, '-n', String(N), '-warm', String(WARM), '-rounds', String(ROUNDS_PER_PASS), '-conc', String(CONC)];
  const { stdout } = await promisify(execFile)(bin, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Record<string, RunResult[]>;
}

/** The Go row a raw-engine row compares with: the same kind of handshake. */
function goPeer(label: string): string | undefined {
  if (label.includes('observe-only, TLS 1.2') || label.startsWith('baseline')) return GO_LABELS.observe12;
  if (label.includes('completed, TLS 1.3') || label.startsWith('node:tls')) return GO_LABELS.tls13;
  if (label.includes('completed, TLS 1.2')) return GO_LABELS.tls12;
  return undefined;
}

function groupInChild(group: string, port: number): Promise<Record<string, RunResult[]>> {
  const child = fork(new URL(import.meta.url), ['--group', group, String(port), ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, RunResult[]>));
    child.once('exit', (code) => reject(new Error(`group ${group} exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-tls-'));
  const nginx = startNginx(dir);
  try {
    for (const { port } of FARMS) {
      await waitPort(FARM[0]!, port);
      await waitPort(FARM.at(-1)!, port);
    }
    const cpu = cpus()[0]?.model ?? 'unknown';
    const groups = Object.keys(GROUPS);
    const goBin = buildGoClient(dir);
    if (goBin) groups.push('go');
    console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}, nginx 1 worker on ${FARM.length} addresses`);
    console.log(`concurrency ${CONC}; each group of modes in its own process (${groups.join(', ')}): ${WARM} warm-up handshakes per mode, then ${ROUNDS_PER_PASS} interleaved rounds of ${N}; two passes (groups in order, then reversed); client CPU = median of the ${2 * ROUNDS_PER_PASS} rounds (best round)`);
    for (const farm of FARMS) {
      const byMode = new Map<string, RunResult[]>();
      for (const pass of [groups, [...groups].reverse()]) {
        for (const g of pass) {
          const run = g === 'go' ? goGroup(goBin!, farm.port) : groupInChild(g, farm.port);
          for (const [label, rounds] of Object.entries(await run)) byMode.set(label, [...(byMode.get(label) ?? []), ...rounds]);
        }
      }
      const labels = groups.flatMap((g) => (g === 'go' ? Object.values(GO_LABELS) : GROUPS[g]!().map(([label]) => label)));
      const results = labels.map((label) => summarize(label, byMode.get(label)!));
      const median = new Map(results.map((r) => [r.label, r.median]));
      const stock = median.get(labels.find((l) => l.startsWith('node:tls'))!)!;
      console.log(`\n### ${farm.name}, port ${farm.port}\n`);
      console.log('| mode | negotiated | ok | client CPU per handshake, ms: median (best) | vs stock node:tls | vs Go, same kind of handshake |');
      console.log('| --- | --- | --- | --- | --- | --- |');
      for (const r of results) {
        const go = goBin && !r.label.startsWith('go ') ? median.get(goPeer(r.label) ?? '') : undefined;
        console.log(`| ${r.label} | ${r.version ?? '-'} ${r.suite ?? ''} | ${r.ok}/${r.n} | ${r.median.toFixed(3)} (${r.best.toFixed(3)}) | ${(r.median / stock).toFixed(2)}x | ${go ? `${(r.median / go).toFixed(2)}x` : '-'} |`);
      }
      console.log(`\nrounds (ms): ${results.map((r) => `${r.label.split(',').slice(0, 2).join(',')}: ${r.rounds.map((x) => x.cpuMsPerHs.toFixed(3)).join(' ')}`).join('; ')}`);
      console.log(`openssl s_time -new -tls1_3: ${sTime(farm.port, ['-tls1_3'], quick ? 2 : 4)}`);
      console.log(`openssl s_time -new -tls1_2: ${sTime(farm.port, ['-tls1_2'], quick ? 2 : 4)}`);
    }
    const mem = await memoryInChild(quick ? 1000 : 5000);
    console.log(`memory: ${mem.done} handshakes in flight: RSS +${mem.rssKiB.toFixed(0)} KiB (${mem.rssPerHs.toFixed(1)} KiB each), heap+external +${mem.heapKiB.toFixed(0)} KiB (${mem.heapPerHs.toFixed(1)} KiB each)`);
  } finally {
    nginx.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------ silent server (child)
if (process.argv.includes('--group')) {
  const i = process.argv.indexOf('--group');
  process.send?.(await runGroup(process.argv[i + 1]!, Number(process.argv[i + 2])));
  process.exit(0);
} else if (process.argv.includes('--memory')) {
  const total = Number(process.argv[process.argv.indexOf('--memory') + 1]);
  process.send?.(await memory(total));
  process.exit(0);
} else if (process.argv.includes('--silent-server')) {
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
