import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frame, ipPacket, pcapFile, type TcpSpec } from '../../packages/core/test/passive/capture-builder.js';
import { BIN, runCli } from './run-cli.js';

const c = { src: '198.51.100.7', dst: '203.0.113.9', sport: 40001, dport: 25 };
const s = { src: '203.0.113.9', dst: '198.51.100.7', sport: 25, dport: 40001 };
const specs: TcpSpec[] = [
  { ...c, seq: 1, flags: 'S' }, { ...s, seq: 100, ack: 2, flags: 'SA' },
  { ...s, seq: 101, ack: 2, payload: '220 mx ESMTP\r\n' }, { ...c, seq: 2, ack: 115, payload: 'EHLO a\r\n' },
  { ...c, seq: 10, ack: 115, flags: 'FA' }, { ...s, seq: 115, ack: 11, flags: 'FA' },
  { src: '198.51.100.7', dst: '203.0.113.9', sport: 40002, dport: 8080, seq: 5, payload: 'GET /' },
];
const capture = pcapFile(1, specs.map((t, i) => ({ ts: 1_700_000_000_000 + i, data: frame('ethernet', ipPacket(t)) })));

describe('wildtls passive (the command shell)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-cli-'));
  const file = join(dir, 'mail.pcap');
  writeFileSync(file, capture);

  it('--output x.duckdb writes the records a JSONL output gets (export gives back the same file)', async () => {
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg') };
    const j = await runCli(['passive', file, '--ports', 'smtp=25', '--output', join(dir, 'store-ref.jsonl')], { env });
    expect(j.code, j.stderr).toBe(0);
    const d = await runCli(['passive', file, '--ports', 'smtp=25', '--output', join(dir, 'out.duckdb')], { env });
    expect(d.code, d.stderr).toBe(0);
    const e = await runCli(['export', join(dir, 'out.duckdb'), '--output', join(dir, 'back.jsonl')], { env });
    expect(e.code, e.stderr).toBe(0);
    const jsonl = readFileSync(join(dir, 'store-ref.jsonl'), 'utf8');
    expect(jsonl.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readFileSync(join(dir, 'back.jsonl'), 'utf8')).toBe(jsonl);
  }, 120_000); // three CLI runs

  it('reads a capture file and prints the statistics on stderr', async () => {
    // Without --client-key the key lives under $XDG_CONFIG_HOME (here the test's folder, never the user's home).
    const r = await runCli(['passive', file, '--ports', 'smtp=25', '--output', join(dir, 'out.jsonl')], { env: { XDG_CONFIG_HOME: join(dir, 'xdg') } });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, 'xdg', 'wildtls', 'client.key')).mode & 0o777).toBe(0o600);
    expect(r.stderr).toContain('wildtls passive: 7 packets');
    expect(r.stderr).toContain('TCP connections on watched ports: 1');
  });

  it('reads standard input given as "-", and watches every loaded service\'s default port without --ports', async () => {
    // Binary standard input: the capture file itself is the child's stdin (a pipe from tcpdump in real use).
    const r = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'passive', '-', '-o', join(dir, 'out2.jsonl')], { stdio: [openSync(file, 'r'), 'ignore', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg') } });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('passive - did not finish')); }, 60_000);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stderr }); });
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('TCP connections on watched ports: 1'); // 25 is smtp's; 8080 is no default port
  });

  it('a file that is not a capture exits 1 naming it; a bad --ports exits 2', async () => {
    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'hello, not a capture');
    const r = await runCli(['passive', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`wildtls: ${bad}: not a pcap or pcapng capture (first bytes 68656c6c6f2c206e); write one with tcpdump -w FILE [WILDTLS_ERR_CAPTURE]`);
    const p = await runCli(['passive', file, '--ports', 'smtp:25']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('--ports smtp:25: expected SERVICE=PORT');
  });

  it('writes one passive record per connection; the client address hashed under a key file it makes 0600, or kept with --no-anonymize', async () => {
    const key = join(dir, 'client.key');
    const out = join(dir, 'records.jsonl');
    const r = await runCli(['passive', file, '--ports', 'smtp=25', '--client-key', key, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ source: 'passive', ip: '203.0.113.9', port: 25, service: 'smtp', banner: '220 mx ESMTP', status: 'no-starttls', passive: { client: { port: 40001 }, starttlsRequested: false, endReason: 'fin' } });
    expect(lines[0].passive.client.ip).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(readFileSync(out, 'utf8')).not.toContain('198.51.100.7');
    // The same key gives the same hash: the file is reused, not replaced.
    const again = await runCli(['passive', file, '--ports', 'smtp=25', '--client-key', key, '-o', out]);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).passive.client.ip).toBe(lines[0].passive.client.ip);
    const plain = await runCli(['passive', file, '--ports', 'smtp=25', '--no-anonymize', '-o', out]);
    expect(plain.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).passive.client.ip).toBe('198.51.100.7');
  });
});
