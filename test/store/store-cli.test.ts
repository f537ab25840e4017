/*
 * A real scan to a DuckDB result store beside the same scan to JSONL:
 * openssl s_server (Debian's openssl) on 127.0.70.10-15 (this suite's range)
 * behind one test CA, two addresses without a listener. The store's export
 * equals the JSONL scan (modulo timing fields), `analyze` of the store equals
 * `analyze` of the JSONL for every built-in analysis, and a scan into a store
 * killed with kill -9 and resumed writes each probe exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForeground, waitForPort, type Daemon } from '../harness/daemon.js';
import { requireBinary } from '../harness/require-binary.js';
import { runCli } from '../targets/cli-run.js';
import { makePki } from '../tls-engine/pki.js';

const OPENSSL = '/usr/bin/openssl';
const SERVERS = [10, 11, 12, 13, 14, 15].map((i) => `127.0.70.${i}`);
// What differs between two scans of the same servers: times, and bytesReceived (an ECDSA signature's DER length varies per handshake).
const TIMING = new Set(['startedAt', 'durationMs', 'handshakeMs', 'bytesReceived']);

type Rec = Record<string, unknown> & { ip: string; port: number; service: string; status: string };
const lines = (text: string): string[] => text.split('\n').filter(Boolean);
/** A record without its timing fields, keys sorted recursively: what two scans of the same servers share. */
function untimed(r: unknown): unknown {
  if (Array.isArray(r)) return r.map(untimed);
  if (!r || typeof r !== 'object') return r;
  return Object.fromEntries(Object.keys(r).filter((k) => !TIMING.has(k)).sort().map((k) => [k, untimed((r as Record<string, unknown>)[k])]));
}
const byTarget = (a: Rec, b: Rec) => `${a.ip}|${a.port}`.localeCompare(`${b.ip}|${b.port}`);

describe.runIf(requireBinary(OPENSSL, 'openssl'))('result store through the CLI (127.0.70.0/24)', () => {
  let dir: string;
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wildtls-store-cli-'));
    const pki = makePki(dir);
    SERVERS.forEach((ip, i) => {
      const cert = i % 2 ? 'ec' : 'rsa';
      daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `${ip}:4433`, '-cert', `${cert}.crt`, '-key', `${cert}.key`, '-cert_chain', 'ca.crt', '-www', '-quiet', '-naccept', '1000'], { cwd: pki.dir }));
    });
    await Promise.all(SERVERS.map((ip) => waitForPort(ip, 4433)));
    writeFileSync(join(dir, 'wildtls.config.yaml'), 'log: { level: warn }\nscan: { checkpointInterval: 100, progress: off, connectRetries: 0 }\n');
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
  });

  const scan = (out: string, extra: string[] = []) => runCli(['scan', '127.0.70.10/29', '-p', 'tls', '--port', '4433', '--allow', '127.0.0.0/8', '--per-network', '1000', '--rate', '0', '--seed', '5', '-o', out, ...extra], { cwd: dir });

  it('a scan to a store exports the records of the same scan to JSONL; analyze gives the same reports', async () => {
    const jsonl = join(dir, 'scan.jsonl');
    const store = join(dir, 'scan.duckdb');
    // The JSONL scan also feeds a store through a `use: duckdb` sink: the same records, byte for byte.
    const side = join(dir, 'side.duckdb');
    const config = join(dir, 'side.yaml');
    writeFileSync(config, `log: { level: warn }\nscan: { progress: off, connectRetries: 0 }\noutput: { sinks: [ { use: duckdb, path: ${JSON.stringify(side)} } ] }\n`);
    const r1 = await scan(jsonl, ['-c', config]);
    expect(r1.code, r1.stderr).toBe(0);
    const sideOut = join(dir, 'side.jsonl');
    const s1 = await runCli(['export', side, '--output', sideOut], { cwd: dir });
    expect(s1.code, s1.stderr).toBe(0);
    expect(readFileSync(sideOut, 'utf8')).toBe(readFileSync(jsonl, 'utf8'));
    const r2 = await scan(store);
    expect(r2.code, r2.stderr).toBe(0);
    const fromJsonl = lines(readFileSync(jsonl, 'utf8')).map((l) => JSON.parse(l) as Rec).sort(byTarget);
    expect(fromJsonl).toHaveLength(8);
    expect(fromJsonl.filter((r) => r.status === 'success')).toHaveLength(6);

    const exported = join(dir, 'export.jsonl');
    const e = await runCli(['export', store, '--format', 'jsonl', '--output', exported], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    const fromStore = lines(readFileSync(exported, 'utf8')).map((l) => JSON.parse(l) as Rec).sort(byTarget);
    expect(fromStore.map(untimed)).toEqual(fromJsonl.map(untimed));

    const a1 = await runCli(['analyze', jsonl, '--format', 'json'], { cwd: dir });
    const a2 = await runCli(['analyze', store, '--format', 'json'], { cwd: dir });
    expect(a1.code, a1.stderr).toBe(0);
    expect(a2.code, a2.stderr).toBe(0);
    const reports = JSON.parse(a1.stdout) as Record<string, unknown>;
    expect(Object.keys(reports).sort()).toEqual(['ca-practice', 'crypto', 'reuse', 'sasl', 'smtp-policy', 'starttls']);
    expect(JSON.parse(a2.stdout)).toEqual(reports);
  }, 120_000);

  it('a scan into a store killed with kill -9 and resumed writes each probe exactly once', async () => {
    const store = join(dir, 'resumed.duckdb');
    const ckpt = join(dir, 'resumed.ckpt');
    const args = ['--rate', '4', '--concurrency', '2', '--checkpoint', ckpt];
    let kills = 0;
    const killSoon = (child: ChildProcess) => void waitForCheckpoint(ckpt).then(() => setTimeout(() => child.kill('SIGKILL'), 300 + Math.random() * 400));
    const first = await runCli(['scan', '127.0.70.10/29', '-p', 'tls', '--port', '4433', '--allow', '127.0.0.0/8', '--per-network', '1000', '--seed', '5', '-o', store, ...args], { cwd: dir, onStart: killSoon });
    if (first.signal === 'SIGKILL') kills++;
    for (let round = 0; round < 4; round++) {
      const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; output: { records: number } };
      if (ck.complete) break;
      expect(typeof ck.output.records).toBe('number');
      const r = await runCli(['scan', '127.0.70.10/29', '-p', 'tls', '--port', '4433', '--allow', '127.0.0.0/8', '--per-network', '1000', '--seed', '5', '-o', store, ...args, '--resume'], { cwd: dir, onStart: round === 0 ? killSoon : undefined });
      if (r.signal === 'SIGKILL') kills++;
      else expect(r.code, r.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    const ck = JSON.parse(readFileSync(ckpt, 'utf8')) as { complete: boolean; counters: { probes: number }; output: { records: number } };
    expect(ck.complete).toBe(true);
    const out = join(dir, 'resumed.jsonl');
    const e = await runCli(['export', store, '--format', 'jsonl', '--output', out], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    const got = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as Rec);
    expect(got.map((r) => r.ip).sort()).toEqual(['127.0.70.10', '127.0.70.11', '127.0.70.12', '127.0.70.13', '127.0.70.14', '127.0.70.15', '127.0.70.8', '127.0.70.9'].sort());
    expect(ck.counters.probes).toBe(8);
    expect(ck.output.records).toBe(8);
  }, 120_000);
});

/** Resolves once the checkpoint file exists (bounded: 20 s). */
async function waitForCheckpoint(path: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until && !existsSync(path)) await new Promise((r) => setTimeout(r, 20));
}
