import { describe, expect, it } from 'vitest';
import { ResultBus, NodeTlsEngine, runScan, silentLogger, type ProbeRecord, type TargetSource } from '@wildtls/core';
import { probeSettings } from '../harness/probe-settings.js';

// Targets whose port is closed: every probe ends quickly in connect-failed,
// so the test measures the pipeline, not the network.
function closedPortTargets(n: number, counter: { yielded: number }): TargetSource {
  return {
    async *targets() {
      for (let i = 0; i < n; i++) {
        counter.yielded++;
        yield { ip: `127.0.41.${(i % 250) + 1}`, port: 9 };
      }
    },
    stats: () => ({ excluded: 0, invalid: 0 }),
  };
}

describe('scan pipeline backpressure', () => {
  it('a deliberately slow sink slows admission: bounded in-flight work, no record lost', async () => {
    const n = 400;
    const hwm = 16;
    const concurrency = 32;
    const counter = { yielded: 0 };
    const bus = new ResultBus<ProbeRecord>(hwm);
    const seen: ProbeRecord[] = [];
    let maxOutstanding = 0;
    bus.subscribe('slow-sink', async (r) => {
      maxOutstanding = Math.max(maxOutstanding, counter.yielded - seen.length);
      await new Promise((res) => setTimeout(res, 2));
      seen.push(r);
    });
    const summary = await runScan({
      source: closedPortTargets(n, counter),
      services: [{
        service: { plugin: { kind: 'protocol', id: 'noop', version: '1', api: '^1.0.0', services: [] }, spec: { name: 'noop', defaultPort: 9, mode: 'starttls', dialog: async () => 'success' } },
        ports: [9],
        options: {},
      }],
      engine: new NodeTlsEngine(),
      bus,
      concurrency,
      logger: silentLogger(),
      probe: probeSettings({ timeouts: { connectMs: 1000, readMs: 1000, probeMs: 2000 }, maxLineBytes: 1024, maxTotalBytes: 65536, ladder: [{ name: 'modern' }] }),
    });
    await bus.close();
    expect(summary.probes).toBe(n);
    expect(seen).toHaveLength(n);
    expect(new Set(seen.map((r) => r.ip + r.startedAt + r.durationMs)).size).toBeGreaterThan(1);
    expect(seen.every((r) => r.status === 'connect-failed')).toBe(true);
    // Targets taken from the source but not yet through the sink never exceed
    // the probes in flight plus the bus queue (plus the one being published).
    expect(maxOutstanding).toBeLessThanOrEqual(concurrency + hwm + 2);
  });
});
