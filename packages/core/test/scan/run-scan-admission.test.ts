import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { createAdmission, NodeTlsEngine, ResultBus, runScan, type ProbeRecord, type ProtocolPlugin, type TargetInput, type TargetSource } from '@wildtls/core';
import { probeSettings } from '../../../../test/harness/probe-settings.js';

const logger = pino({ level: 'silent' });
const HOSTS = ['127.0.103.1', '127.0.103.2'];
const EXCLUDED = '127.0.103.3';

const plugin: ProtocolPlugin = {
  kind: 'protocol',
  id: 'greet',
  version: '0',
  api: '^1.0.0',
  services: [{ name: 'greet', defaultPort: 1, mode: 'starttls', dialog: async (ctx) => ((await ctx.conn.readLine()).startsWith('hi') ? 'no-starttls' : 'protocol-error') }],
};

function memorySource(inputs: TargetInput[]): TargetSource {
  return {
    async *targets() {
      yield* inputs;
    },
    stats: () => ({ excluded: 0, invalid: 0 }),
  };
}

/**
 * runScan with the scan's own admission (createAdmission, asked synchronously first and released by
 * address) against real servers: the servers see at most the cap per address, and once the scan is
 * over the limiter holds nothing, whichever way a probe left (run, or excluded at the last moment).
 */
describe('runScan with a per-network cap', () => {
  const servers: Server[] = [];
  let port = 0;
  // Connections a server has accepted and not yet answered, per address, and the most at once.
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  beforeAll(async () => {
    for (const host of HOSTS) {
      const server = createServer((s) => {
        const at = s.localAddress!;
        const n = (open.get(at) ?? 0) + 1;
        open.set(at, n);
        most.set(at, Math.max(most.get(at) ?? 0, n));
        s.on('error', () => {});
        // Held a little before the answer, so probes beyond the cap would overlap here. A probe ends
        // only after this answer, so what a server counts open is inside what admission holds.
        setTimeout(() => {
          open.set(at, open.get(at)! - 1);
          s.end('hi\r\n');
        }, 20);
      });
      server.listen(port, host);
      await once(server, 'listening');
      port = (server.address() as { port: number }).port;
      servers.push(server);
    }
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));

  it('holds the cap per address, hands every slot back, and lets the rest through', async () => {
    // Interleaved, so that both addresses have probes in flight at once.
    const inputs: TargetInput[] = [];
    for (let i = 0; i < 8; i++) for (const ip of [...HOSTS, ...(i < 2 ? [EXCLUDED] : [])]) inputs.push({ ip, port, service: 'greet', position: inputs.length });
    const admit = createAdmission({ rate: 0, perNetwork: 2, prefixV4: 32, prefixV6: 128 });
    expect(admit.binds(6)).toBe(true);
    const bus = new ResultBus<ProbeRecord>(4);
    const got: ProbeRecord[] = [];
    bus.subscribe('collect', (r) => {
      got.push(r);
    });
    const summary = await runScan({
      source: memorySource(inputs),
      services: [{ service: { plugin, spec: plugin.services[0]! }, ports: [port], options: {} }],
      engine: new NodeTlsEngine(),
      bus,
      concurrency: 6,
      logger,
      admit,
      excludes: (ip) => ip === EXCLUDED,
      probe: probeSettings({ timeouts: { probeMs: 5000 }, maxLineBytes: 1024, maxTotalBytes: 65536, ladder: [{ name: 'default' }] }),
    });
    await bus.close();
    expect(got).toHaveLength(16);
    expect(got.every((r) => r.status === 'no-starttls')).toBe(true);
    expect(summary.probes).toBe(16);
    for (const host of HOSTS) expect(most.get(host), host).toBeLessThanOrEqual(2);
    expect(admit.networks.networks).toBe(0);
    expect(admit.networks.waitingNetworks).toBe(0);
  });
});
