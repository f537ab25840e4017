import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { makePki } from '../tls-engine/pki.js';
import { farmConfigYaml } from './farm/farm-config.js';
import { startFarm, type Farm } from './farm/start-farm.js';

/*
 * The analyses count what servers negotiate, not what our engine completes.
 * Through the CLI, end to end:
 *  1. an observe-only census of the whole loopback farm (Postfix, Dovecot,
 *     Prosody, InspIRCd, nginx on 127.0.43.1-5): no handshake completes, yet
 *     the crypto tables are full and Table I shows upgraded and negotiated
 *     apart from completed;
 *  2. a completing scan (profile compat) of two openssl s_server on
 *     127.0.43.6-7 that choose Camellia (completed) and SEED (served from
 *     OpenSSL's legacy provider, which this process lacks: a tls-failed /
 *     tls-unsupported record): both count in Table IV and Fig. 3.
 */
const AT = { postfix: '127.0.43.1', dovecot: '127.0.43.2', prosody: '127.0.43.3', inspircd: '127.0.43.4', nginx: '127.0.43.5' };
const CAMELLIA = '127.0.43.6';
const SEED = '127.0.43.7';
const SSL_PORT = 4433;
const OPENSSL = '/usr/bin/openssl';

interface Rec {
  ip: string;
  port: number;
  service: string;
  status: string;
  error?: { reason: string };
  starttls?: { offered: boolean; upgraded: boolean };
  tls?: { version?: string; cipherSuite?: { id: number; name: string }; completed: boolean; notCompletedReason?: string };
}
type Row = Record<string, unknown>;
interface Reports {
  [id: string]: { totals: Record<string, number>; tables: Array<{ id: string; rows: Row[] }> };
}

let farm: Farm;
const ssl: Daemon[] = [];
let dir = '';
let scan: CliResult;
let census: Rec[] = [];
let reports: Reports = {};
let legacy: Rec[] = [];
let legacyReports: Reports = {};

const readJsonl = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : []);
const rowsOf = (r: Reports, analysis: string, table: string) => r[analysis]?.tables.find((t) => t.id === table)?.rows ?? [];

async function analyze(file: string): Promise<Reports> {
  // No config in `dir`: the built-in plugin list, analyses included.
  const r = await runCli(['analyze', file, '--analysis', 'crypto', '--analysis', 'starttls', '--format', 'json'], { cwd: dir, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Reports;
}

beforeAll(async () => {
  dir = tempDir('census');
  makePki(dir); // rsa.crt and rsa.key for the s_servers below
  ssl.push(startForeground(OPENSSL, ['s_server', '-accept', `${CAMELLIA}:${SSL_PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-no_tls1_3', '-cipher', 'CAMELLIA128-SHA:@SECLEVEL=0', '-www', '-quiet'], { cwd: dir }));
  ssl.push(startForeground(OPENSSL, ['s_server', '-provider', 'legacy', '-provider', 'default', '-accept', `${SEED}:${SSL_PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-no_tls1_3', '-cipher', 'SEED-SHA:@SECLEVEL=0', '-www', '-quiet'], { cwd: dir }));
  farm = await startFarm(AT);
  await Promise.all([waitForPort(CAMELLIA, SSL_PORT), waitForPort(SEED, SSL_PORT)]);

  const config = join(dir, 'farm.yaml');
  writeFileSync(config, farmConfigYaml(farm));
  scan = await runCli(['scan', '--config', config, '--observe-only', '--output', join(dir, 'census.jsonl')], { cwd: dir, timeoutMs: 90_000 });
  census = readJsonl(join(dir, 'census.jsonl'));
  reports = await analyze(join(dir, 'census.jsonl'));

  const legacyScan = await runCli(['scan', CAMELLIA, SEED, '--protocol', 'tls', '--port', String(SSL_PORT), '--allow', '127.0.0.0/8', '--profile', 'compat', '--progress', 'off', '--output', join(dir, 'legacy.jsonl')], { cwd: dir, timeoutMs: 60_000 });
  expect(legacyScan.code, legacyScan.stderr).toBe(0);
  legacy = readJsonl(join(dir, 'legacy.jsonl'));
  legacyReports = await analyze(join(dir, 'legacy.jsonl'));
}, 240_000);

afterAll(async () => {
  await farm?.stop();
  await Promise.all(ssl.map((d) => d.stop()));
  if (dir) removeDir(dir);
});

describe('an observe-only census of the loopback farm, through the CLI', () => {
  it('every served service: success, a ServerHello seen, no handshake completed, STARTTLS accepted', () => {
    expect(scan.code, scan.stderr).toBe(0);
    expect(farm.served).toHaveLength(14);
    for (const s of farm.served) {
      const r = census.find((x) => x.ip === s.ip && x.port === s.port && x.service === s.service);
      expect(r, `${s.service} ${s.ip}:${s.port}\n${farm.logs()}`).toBeDefined();
      expect(r!.status, JSON.stringify(r)).toBe('success');
      expect(r!.tls).toMatchObject({ completed: false, notCompletedReason: 'observe-only' });
      expect(['TLSv1.2', 'TLSv1.3']).toContain(r!.tls?.version);
      expect(r!.tls?.cipherSuite?.id).toBeGreaterThan(0);
      if (s.mode === 'starttls') expect(r!.starttls).toEqual(expect.objectContaining({ offered: true, upgraded: true }));
    }
  });

  it('crypto: Table IV and Fig. 3 are full, one server per served service, none completed', () => {
    expect(reports.crypto?.totals).toMatchObject({ handshakes: 14, completed: 0, internalErrors: 0 });
    const versions = rowsOf(reports, 'crypto', 'versions').filter((row) => row.service !== 'all');
    expect(versions).toHaveLength(14);
    for (const row of versions) expect(row).toMatchObject({ servers: 1, other: 0, tls12: (row.tls13 as number) === 1 ? 0 : 1 });
    expect(rowsOf(reports, 'crypto', 'versions').at(-1)).toMatchObject({ service: 'all', port: null, servers: 14 });
    const categories = rowsOf(reports, 'crypto', 'cipher-categories');
    for (const s of farm.served) {
      const mine = categories.filter((row) => row.service === s.service && row.port === s.port);
      expect(mine.reduce((n, row) => n + (row.servers as number), 0), s.service).toBe(1);
    }
    // Stapling is read from the whole first flight, which observe-only sees.
    expect(rowsOf(reports, 'crypto', 'ocsp-stapling-by-port').filter((row) => row.service !== 'all' && row.servers === 1)).toHaveLength(14);
  });

  it('starttls: per served service, TLS reached 1, completed 0, upgraded 1 on STARTTLS ports (Table I, Table III, the funnel)', () => {
    const funnel = rowsOf(reports, 'starttls', 'starttls-funnel');
    for (const s of farm.served) {
      const steps = Object.fromEntries(funnel.filter((x) => x.service === s.service && x.port === s.port).map((x) => [x.step, x.servers]));
      expect(steps, s.service).toMatchObject({ 'TLS reached (ServerHello)': 1, 'handshake completed': 0, ...(s.mode === 'starttls' ? { 'STARTTLS accepted (upgraded)': 1 } : {}) });
      expect(rowsOf(reports, 'starttls', 'tls-overview').find((x) => x.service === s.service && x.port === s.port), s.service).toMatchObject({ tls: 1, noise: 0 });
    }
    const upgraded = rowsOf(reports, 'starttls', 'starttls-support');
    for (const s of farm.served.filter((x) => x.mode === 'starttls')) expect(upgraded.find((x) => x.service === s.service && x.port === s.port), s.service).toMatchObject({ upgraded: 1 });
  });

  it('wildtls analyze renders the paper tables in markdown and csv too', async () => {
    const file = join(dir, 'census.jsonl');
    const md = await runCli(['analyze', file, '--analysis', 'starttls', '--analysis', 'crypto', '--format', 'markdown'], { cwd: dir, timeoutMs: 60_000 });
    expect(md.code, md.stderr).toBe(0);
    for (const label of ['### Table I: ', '### Table III: ', '### Table IV: ', '### Fig. 3: ', '### Fig. 3, text: forward secrecy, whole scan', '### How far servers get, per service and port (beyond the study)']) expect(md.stdout).toContain(label);
    // The pooled Table I row: 14 served services of the farm answered with TLS, each once.
    expect(md.stdout).toMatch(/^\| all \| {2}\| {2}\| \d+ \| 14 \| /m);
    const csv = await runCli(['analyze', file, '--analysis', 'starttls', '--analysis', 'crypto', '--format', 'csv'], { cwd: dir, timeoutMs: 60_000 });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('# starttls / tls-overview (per-server)\nservice,port,mode,hosts,tls,tlsShare,leafUnique,leafUniqueShare,interTotal,interUnique,interUniqueShare,noise,noiseShare\n');
    expect(csv.stdout).toContain('# crypto / cipher-categories (per-server)\nservice,port,keyExchange,bulk,forwardSecrecy,servers,share\n');
    expect(csv.stdout).toMatch(/^all,,,\d+,14,/m);
  });
});

describe('suites the engine does not complete still count (tls-unsupported), through the CLI', () => {
  it('Camellia completes; SEED (no legacy provider in this process) is tls-failed / tls-unsupported, with the version, suite and chain the server chose', () => {
    const byIp = Object.fromEntries(legacy.map((r) => [r.ip, r]));
    expect(byIp[CAMELLIA], ssl[0]!.output()).toMatchObject({ status: 'success', tls: { version: 'TLSv1.2', cipherSuite: { id: 0x0041, name: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA' }, completed: true } });
    expect(byIp[SEED], ssl[1]!.output()).toMatchObject({ status: 'tls-failed', error: { reason: 'tls-unsupported' }, tls: { version: 'TLSv1.2', cipherSuite: { id: 0x0096, name: 'TLS_RSA_WITH_SEED_CBC_SHA' }, completed: false } });
  });

  it('crypto: both in Table IV (TLSv1.2) and in Fig. 3 (RSA key exchange, Camellia and "other" bulk ciphers)', () => {
    expect(legacyReports.crypto?.totals).toMatchObject({ records: 2, servers: 2, handshakes: 2, completed: 1 });
    expect(rowsOf(legacyReports, 'crypto', 'versions')[0]).toMatchObject({ service: 'tls', port: SSL_PORT, servers: 2, tls12: 2, tls12Share: 1 });
    const categories = Object.fromEntries(rowsOf(legacyReports, 'crypto', 'cipher-categories').filter((row) => row.service === 'tls').map((row) => [`${String(row.keyExchange)} ${String(row.bulk)}`, row.servers]));
    expect(categories).toEqual({ 'RSA Camellia': 1, 'RSA other': 1 });
    const steps = Object.fromEntries(rowsOf(legacyReports, 'starttls', 'starttls-funnel').map((row) => [row.step, row.servers]));
    expect(steps).toMatchObject({ answered: 2, 'TLS reached (ServerHello)': 2, 'handshake completed': 1 });
  });
});
