// The passive run's plumbing: records a flow handler emits reach config.output through the result bus
// and the scan's sinks, all of them, in order. The handler here is a test handler (part 2 builds the real records).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { passiveFromConfig, type ProbeRecord } from '@wildtls/core';
import { loadRun } from '../../packages/cli/src/load-run.js';
import { ipPacket, pcapFile, type TcpSpec } from '../../packages/core/test/passive/capture-builder.js';

describe('passiveFromConfig', () => {
  it('writes every record the handlers emit, in order, through the configured output (a bus smaller than the records)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-run-'));
    const out = join(dir, 'conns.jsonl');
    const specs: TcpSpec[] = [];
    for (let i = 0; i < 600; i++) {
      const c = { src: '198.51.100.1', dst: '203.0.113.1', sport: 10000 + i, dport: 25 };
      specs.push({ ...c, seq: 1, flags: 'S' }, { ...c, seq: 2, payload: `conn ${i}` }, { ...c, seq: 2 + `conn ${i}`.length, flags: 'R' });
    }
    const capture = pcapFile(101, specs.map((t, i) => ({ ts: 1_700_000_000_000 + i, data: ipPacket(t) })));
    const setup = await loadRun({ overrides: { output: { path: out } }, logLevel: 'silent', ignoreConfigFiles: true });
    const { stats, records } = await passiveFromConfig(setup.config, setup.registry, [{ name: 'mem', stream: Readable.from([capture]) }], {
      logger: setup.logger,
      services: new Map([[25, 'smtp']]),
      makeFactory: (ctx) => (start) => {
        let text = '';
        return {
          data(_dir, bytes) { text += Buffer.from(bytes).toString(); },
          gap() {},
          // A test record: the flow's first bytes as its target, which the assertions read back.
          end(reason) { ctx.emit({ target: { ip: start.clientIp, port: start.clientPort }, service: ctx.services.get(start.serverPort), status: reason, text } as unknown as ProbeRecord); },
        };
      },
    });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; service: string; status: string });
    expect(stats.flows).toBe(600);
    expect(records).toBe(600);
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 600 }, (_, i) => `conn ${i}`));
    expect(new Set(lines.map((l) => `${l.service} ${l.status}`))).toEqual(new Set(['smtp rst']));
  });

  it('counts the records still on the bus when the capture ends (connections that end only at the end of the capture)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-run-'));
    const out = join(dir, 'conns.jsonl');
    const specs: TcpSpec[] = [];
    for (let i = 0; i < 600; i++) {
      const c = { src: '198.51.100.1', dst: '203.0.113.1', sport: 10000 + i, dport: 25 };
      specs.push({ ...c, seq: 1, flags: 'S' }, { ...c, seq: 2, payload: `conn ${i}` });
    }
    const capture = pcapFile(101, specs.map((t, i) => ({ ts: 1_700_000_000_000 + i, data: ipPacket(t) })));
    const setup = await loadRun({ overrides: { output: { path: out } }, logLevel: 'silent', ignoreConfigFiles: true });
    const { records } = await passiveFromConfig(setup.config, setup.registry, [{ name: 'mem', stream: Readable.from([capture]) }], {
      logger: setup.logger,
      services: new Map([[25, 'smtp']]),
      makeFactory: (ctx) => (start) => ({
        data() {},
        gap() {},
        end(reason) { ctx.emit({ target: { ip: start.clientIp, port: start.clientPort }, service: ctx.services.get(start.serverPort), status: reason } as unknown as ProbeRecord); },
      }),
    });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(600);
    expect(records).toBe(600);
  });
});
