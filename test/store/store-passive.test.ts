import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frame, ipPacket, pcapFile, type TcpSpec } from '../../packages/core/test/passive/capture-builder.js';
import { runCli } from '../cli/run-cli.js';

// One SMTP connection seen in a capture (documentation addresses: nothing is sent anywhere).
const c = { src: '198.51.100.7', dst: '203.0.113.9', sport: 40001, dport: 25 };
const s = { src: '203.0.113.9', dst: '198.51.100.7', sport: 25, dport: 40001 };
const specs: TcpSpec[] = [
  { ...c, seq: 1, flags: 'S' }, { ...s, seq: 100, ack: 2, flags: 'SA' },
  { ...s, seq: 101, ack: 2, payload: '220 mx ESMTP\r\n' }, { ...c, seq: 2, ack: 115, payload: 'EHLO a\r\n' },
  { ...c, seq: 10, ack: 115, flags: 'FA' }, { ...s, seq: 115, ack: 11, flags: 'FA' },
];
const capture = pcapFile(1, specs.map((t, i) => ({ ts: 1_700_000_000_000 + i, data: frame('ethernet', ipPacket(t)) })));

describe('wildtls passive --output x.duckdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-store-passive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the records a JSONL output gets', async () => {
    const file = join(dir, 'mail.pcap');
    writeFileSync(file, capture);
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg') };
    const j = await runCli(['passive', file, '--ports', 'smtp=25', '--output', join(dir, 'out.jsonl')], { env });
    expect(j.code, j.stderr).toBe(0);
    const d = await runCli(['passive', file, '--ports', 'smtp=25', '--output', join(dir, 'out.duckdb')], { env });
    expect(d.code, d.stderr).toBe(0);
    const e = await runCli(['export', join(dir, 'out.duckdb'), '--output', join(dir, 'back.jsonl')], { env });
    expect(e.code, e.stderr).toBe(0);
    const jsonl = readFileSync(join(dir, 'out.jsonl'), 'utf8');
    expect(jsonl.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readFileSync(join(dir, 'back.jsonl'), 'utf8')).toBe(jsonl);
  }, 120_000); // three CLI runs
});
