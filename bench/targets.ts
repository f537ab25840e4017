/**
 * Targets and scheduling benchmark (bounded in count and time; loopback only).
 *
 *   npx tsc -p bench/tsconfig.targets.json && node bench/dist/targets.js [--quick]
 *
 * 1. Address generation on one core: the seeded permutation of the whole IPv4
 *    space with the default blocklist applied (numbers; then as strings; then
 *    through the async target source the scan uses).
 * 2. Scan throughput against a loopback farm of 256 endpoints (127.0.30.0/24,
 *    served by a child process): plain TCP banner probes and TLS handshakes
 *    (NodeTlsEngine), at concurrency 1, 100 and 1000, rate limit off.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { cpus } from 'node:os';
import pino from 'pino';
import {
  Exclusions, NodeTlsEngine, RangeSpace, RangeTargetSource, ResultBus, ShardWalk, cyclicGroup, intToIpv4, runScan,
  type ProbeRecord, type ProtocolPlugin, type ScanService, type TargetInput, type TargetSource,
} from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';

const quick = process.argv.includes('--quick');
const FARM = Array.from({ length: 256 }, (_, i) => `127.0.30.${i}`);

// ---------------------------------------------------------------- farm (child)
async function serveFarm(): Promise<void> {
  const cert = await selfSignedCertificate({ commonName: 'farm.test', keyType: 'ec' });
  const servers: Server[] = [];
  let plainPort = 0;
  let tlsPort = 0;
  for (const host of FARM) {
    const plain = createServer((s) => {
      s.on('error', () => {});
      s.end('220 bench\r\n');
    });
    plain.listen({ host, port: plainPort, backlog: 1024 });
    await once(plain, 'listening');
    plainPort = (plain.address() as { port: number }).port;
    const secure = createTlsServer({ cert: cert.certPem, key: cert.keyPem }, (s) => {
      s.on('error', () => {});
      s.end();
    });
    secure.on('tlsClientError', () => {});
    secure.listen({ host, port: tlsPort, backlog: 1024 });
    await once(secure, 'listening');
    tlsPort = (secure.address() as { port: number }).port;
    servers.push(plain, secure);
  }
  process.send!({ plainPort, tlsPort });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- generation
function generation(): void {
  const exclusions = new Exclusions({ allow: [], blocklistFiles: [] });
  const space = new RangeSpace(['0.0.0.0/0']);
  const group = cyclicGroup(space.size, 2016);
  const budget = quick ? 20_000_000 : 200_000_000;
  const limitMs = quick ? 3_000 : 20_000;

  let walk = new ShardWalk(group, 0, 1);
  let t0 = performance.now();
  let n = 0;
  let kept = 0;
  let checksum = 0;
  while (n < budget) {
    const idx = walk.next();
    const a = space.v4At(idx);
    if (!exclusions.excludesV4(a)) {
      kept++;
      checksum = (checksum + a) % 1_000_003;
    }
    if (++n % 1_000_000 === 0 && performance.now() - t0 > limitMs) break;
  }
  let s = (performance.now() - t0) / 1000;
  console.log(`generation (numbers, blocklist applied): ${fmt(n / s)} addresses/s over ${fmt(n)} (${((100 * (n - kept)) / n).toFixed(1)}% excluded, checksum ${checksum})`);

  walk = new ShardWalk(group, 0, 1);
  t0 = performance.now();
  n = 0;
  let chars = 0;
  while (n < budget / 4) {
    const a = space.v4At(walk.next());
    if (!exclusions.excludesV4(a)) chars += intToIpv4(a).length;
    if (++n % 1_000_000 === 0 && performance.now() - t0 > limitMs) break;
  }
  s = (performance.now() - t0) / 1000;
  console.log(`generation (dotted strings, blocklist applied): ${fmt(n / s)} addresses/s over ${fmt(n)} (${chars} chars)`);
}

async function sourceStream(): Promise<void> {
  const source = new RangeTargetSource({ targets: ['0.0.0.0/0'], seed: 2016, shards: 1, shard: 0, order: 'permuted', exclusions: new Exclusions({ allow: [], blocklistFiles: [] }), logger: pino({ level: 'silent' }) });
  const limit = quick ? 1_000_000 : 5_000_000;
  const t0 = performance.now();
  let n = 0;
  for await (const _ of source.targets()) if (++n >= limit) break;
  const s = (performance.now() - t0) / 1000;
  console.log(`target source (async iterator, what runScan pulls): ${fmt(n / s)} targets/s over ${fmt(n)}`);
}

// ---------------------------------------------------------------- scan throughput
const plugin: ProtocolPlugin = {
  kind: 'protocol',
  id: 'bench',
  version: '0',
  api: '^1.0.0',
  services: [
    { name: 'banner', defaultPort: 1, mode: 'starttls', dialog: async (ctx) => ((await ctx.conn.readLine()).startsWith('220') ? 'no-starttls' : 'protocol-error') },
    { name: 'tls', defaultPort: 1, mode: 'implicit', dialog: async () => 'success' },
  ],
};

function repeating(count: number): TargetSource {
  return {
    async *targets() {
      for (let i = 0; i < count; i++) yield { ip: FARM[i % FARM.length]!, position: i } satisfies TargetInput;
    },
    stats: () => ({ excluded: 0, invalid: 0 }),
  };
}

async function throughput(service: 'banner' | 'tls', port: number, concurrency: number): Promise<void> {
  const spec = plugin.services.find((s) => s.name === service)!;
  const services: ScanService[] = [{ service: { plugin, spec }, ports: [port], options: {} }];
  const count = quick ? Math.min(2000, concurrency * 20) : concurrency === 1 ? 3000 : 30_000;
  const bus = new ResultBus<ProbeRecord>(1024);
  const byStatus = new Map<string, number>();
  bus.subscribe('count', (r) => {
    byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), quick ? 5_000 : 20_000);
  const t0 = performance.now();
  const summary = await runScan({
    source: repeating(count),
    services,
    engine: new NodeTlsEngine(),
    bus,
    concurrency,
    logger: pino({ level: 'silent' }),
    signal: ac.signal,
    graceMs: 5_000,
    probe: { timeouts: { connectMs: 5000, readMs: 5000, probeMs: 10000 }, maxLineBytes: 4096, maxTotalBytes: 1 << 20, ladder: [{ name: 'default' }], observeOnly: false, sni: false, connectRetries: 0 },
  });
  await bus.close();
  clearTimeout(timer);
  const s = (performance.now() - t0) / 1000;
  console.log(`scan ${service.padEnd(6)} concurrency ${String(concurrency).padStart(4)}: ${fmt(summary.probes / s)} probes/s (${summary.probes} probes in ${s.toFixed(1)} s${summary.stopped ? ', time-bounded' : ''}; ${[...byStatus].map(([k, v]) => `${k} ${v}`).join(', ')})`);
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'farm') return serveFarm();
  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model}, ${quick ? 'quick' : 'full'} run`);
  generation();
  await sourceStream();
  const child = fork(new URL(import.meta.url).pathname, ['farm'], { stdio: 'inherit' });
  const [ports] = (await once(child, 'message')) as [{ plainPort: number; tlsPort: number }];
  try {
    for (const c of [1, 100, 1000]) await throughput('banner', ports.plainPort, c);
    for (const c of [1, 100, 1000]) await throughput('tls', ports.tlsPort, c);
  } finally {
    child.disconnect();
  }
}

await main();
