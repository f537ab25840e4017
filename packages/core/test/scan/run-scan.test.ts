import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { NodeTlsEngine, ResultBus, runScan, type ProbeRecord, type ProtocolPlugin, type ScanService, type TargetInput, type TargetSource } from '@wildtls/core';
import { probeSettings } from '../../../../test/harness/probe-settings.js';

const logger = pino({ level: 'silent' });

const plugin: ProtocolPlugin = {
  kind: 'protocol',
  id: 'greet',
  version: '0',
  api: '^1.0.0',
  services: [
    { name: 'greet-a', defaultPort: 1, mode: 'starttls', dialog: async (ctx) => ((await ctx.conn.readLine()).startsWith('hi') ? 'no-starttls' : 'protocol-error') },
    { name: 'greet-b', defaultPort: 1, mode: 'starttls', dialog: async () => 'no-starttls' },
  ],
};

function memorySource(inputs: TargetInput[]): TargetSource {
  return {
    async *targets() {
      yield* inputs;
    },
    stats: () => ({ excluded: 0, invalid: 0 }),
  };
}

describe('runScan', () => {
  let server: Server;
  let port = 0;
  const accepted: string[] = [];
  beforeAll(async () => {
    server = createServer((s) => {
      accepted.push(s.localAddress!);
      s.on('error', () => {});
      s.end('hi\r\n');
    });
    server.listen(0, '127.0.30.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('writes exactly one record per (target, port, service), honours the admit hook and the last-moment exclusion', async () => {
    const services: ScanService[] = plugin.services.map((spec) => ({ service: { plugin, spec }, ports: [port, port + 1 === 65536 ? port - 1 : port + 1], options: {} }));
    const inputs: TargetInput[] = [
      { ip: '127.0.30.1', position: 0 },
      { ip: '127.0.30.2', position: 1 }, // excluded at the last moment
      { ip: '127.0.30.1', port, service: 'greet-b', position: 2 },
    ];
    const bus = new ResultBus<ProbeRecord>(4);
    const got: ProbeRecord[] = [];
    bus.subscribe('collect', (r) => {
      got.push(r);
    });
    const admitted: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const summary = await runScan({
      source: memorySource(inputs),
      services,
      engine: new NodeTlsEngine(),
      bus,
      concurrency: 3,
      logger,
      admit: async (ip) => {
        admitted.push(ip);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        return () => inFlight--;
      },
      excludes: (ip) => ip === '127.0.30.2',
      probe: probeSettings({ timeouts: { connectMs: 1000, readMs: 1000, probeMs: 3000 }, maxLineBytes: 1024, maxTotalBytes: 65536, ladder: [{ name: 'default' }] }),
    });
    await bus.close();
    // 127.0.30.1: 2 services x 2 ports; 127.0.30.2: excluded (4 probes never sent); then one fixed (port, service).
    expect(got).toHaveLength(5);
    expect(new Set(got.map((r) => `${r.ip}|${r.port}|${r.service}`)).size).toBe(4);
    expect(summary.probes).toBe(5);
    expect(summary.excluded).toBe(4);
    expect(admitted.filter((a) => a === '127.0.30.2')).toHaveLength(4); // admitted, then refused before connecting
    expect(accepted.every((a) => a === '127.0.30.1')).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(inFlight).toBe(0);
    const onPort = got.filter((r) => r.port === port);
    expect(onPort.every((r) => r.status === 'no-starttls')).toBe(true);
  });

  it('stops admission on abort and reports stopped', async () => {
    const many: TargetInput[] = Array.from({ length: 200 }, (_, i) => ({ ip: '127.0.30.1', port, service: 'greet-a', position: i }));
    const bus = new ResultBus<ProbeRecord>(4);
    let n = 0;
    bus.subscribe('count', () => {
      n++;
    });
    const ac = new AbortController();
    const summary = await runScan({
      source: memorySource(many),
      services: [{ service: { plugin, spec: plugin.services[0]! }, ports: [port], options: {} }],
      engine: new NodeTlsEngine(),
      bus,
      concurrency: 2,
      logger,
      signal: ac.signal,
      graceMs: 2000,
      admit: async () => {
        if (n >= 10) ac.abort();
      },
      probe: probeSettings({ timeouts: { connectMs: 1000, readMs: 1000, probeMs: 3000 }, maxLineBytes: 1024, maxTotalBytes: 65536, ladder: [{ name: 'default' }] }),
    });
    await bus.close();
    expect(summary.stopped).toBe(true);
    expect(n).toBeLessThan(200);
    expect(n).toBe(summary.probes);
  });
});
