/**
 * ca-practice over a DuckDB result store (analyzeStore: verdicts per distinct
 * chain in ca_practice_chain_verdicts, counting in SQL) gives the report
 * consume/finish give on the same records, read from the JSONL they were
 * imported from: for the fixture library (real scans), an internal-error record, a server with two chains, records named by a
 * domain and records years apart (so a chain needs verdicts for several
 * validity intervals), and for the mid-size synthetic population; under the
 * default parameters, --at, another roots file and each validity profile.
 * A second analysis with the same parameters validates nothing; other
 * parameters validate again. A store that holds passive records is
 * streamed through consume/finish (core's storeHasPassive): the report is the
 * stream's, passive tables and exclusion rules included.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { type CaPracticeAnalyzer } from '@wildtls/analysis-ca-practice';
import { importIntoStore, openStore, readRecords, silentLogger, type ProbeRecord, type Report } from '@wildtls/core';
import { fixtureLibrary, fixtureRecord, synthesize } from '../synthetic/fixture-library.mjs';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation, writeRecords } from '../synthetic/generate.mjs';
import { runCli } from '../cli/run-cli.js';

const MID_SIZE = new URL('./mid-size-population.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'wildtls-ca-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Params = { at?: Date; rootsFile?: string; validityProfile?: string };
type Options = Record<string, unknown>;

async function analyzer(params: Params, options: Options): Promise<CaPracticeAnalyzer> {
  const c = root.createChildContainer();
  await plugin.register?.({ container: c, logger: silentLogger(), options: options as never });
  return (await plugin.create({ options: options as never, logger: silentLogger(), container: c, params })) as CaPracticeAnalyzer;
}

async function fromStream(file: string | string[], params: Params, options: Options = {}): Promise<Report> {
  const a = await analyzer(params, options);
  for (const f of [file].flat()) for await (const r of readRecords(f)) await a.consume(r);
  return a.finish();
}

async function fromStore(path: string, params: Params, options: Options = {}): Promise<{ report: Report; run: NonNullable<CaPracticeAnalyzer['storeRun']> }> {
  const { report, run } = await fromStoreAny(path, params, options);
  if (!run) throw new Error('analyzeStore streamed the records instead of counting in SQL');
  return { report, run };
}

/** analyzeStore, whichever way it went (run undefined: the records were streamed). */
async function fromStoreAny(path: string, params: Params, options: Options = {}): Promise<{ report: Report; run: CaPracticeAnalyzer['storeRun'] }> {
  const a = await analyzer(params, options);
  const store = await openStore(path);
  try {
    const report = await a.analyzeStore(store);
    return { report, run: a.storeRun };
  } finally {
    await store.close();
  }
}

function passive(r: ProbeRecord, clientPort: number, extra: Partial<NonNullable<ProbeRecord['passive']>> = {}): ProbeRecord {
  const t = r.startedAt;
  return { ...r, source: 'passive', passive: { client: { ip: 'hmac-sha256:00', port: clientPort }, captureStart: t, captureEnd: t, midStream: false, endReason: 'fin', ...extra } };
}

/** The fixture library, and records that reach every counting rule of the analysis. */
function mixedRecords(): ProbeRecord[] {
  const lib = fixtureLibrary();
  const records = lib.names.map((n) => lib.byName.get(n)!);
  const a = fixtureRecord('postfix-tls12-smtp');
  const d = fixtureRecord('sserver-rsa-gcm');
  const leafOnly = [a.tls!.chain![0]!];
  records.push(
    // The same server again with another chain (its leaf alone), and again with its first chain.
    synthesize(a, { chain: leafOnly }),
    synthesize(a, {}),
    // Servers probed under a domain: one their leaf names, one it does not.
    synthesize(a, { ip: '127.0.74.1', domain: 'mx.cells.wildtls.test' }),
    synthesize(a, { ip: '127.0.74.2', domain: 'other.example.org' }),
    synthesize(d, { ip: '127.0.74.3', domain: '127.0.74.3' }),
    // The same chains years later (expired) and earlier (not yet valid): other validity intervals of one chain.
    synthesize(a, { ip: '127.0.74.4', startedAt: '2045-01-01T00:00:00.000Z' }),
    synthesize(d, { ip: '127.0.74.5', startedAt: '2001-01-01T00:00:00.000Z' }),
    synthesize(a, { ip: '127.0.74.6', port: 587, chain: leafOnly, startedAt: '2045-01-01T00:00:00.000Z' }),
    // Our own bug: left out and counted.
    { ...synthesize(d, { ip: '127.0.74.7' }), status: 'internal-error', reason: 'internal' } as ProbeRecord,
  );
  return records;
}

/** Passive copies: per server and per connection, a TLS 1.3 connection without a chain, a late connection, one the ALPN rule leaves out. */
function passiveRecords(): ProbeRecord[] {
  const a = fixtureRecord('postfix-tls12-smtp');
  const d = fixtureRecord('sserver-rsa-gcm');
  const e = fixtureRecord('sserver-tls13');
  const leafOnly = [a.tls!.chain![0]!];
  const h2 = passive(a, 7);
  return [
    passive(a, 1), passive(a, 2), passive(synthesize(a, { chain: leafOnly }), 3), passive(d, 4),
    passive({ ...e, tls: { ...e.tls!, chain: [] } }, 5, { chainHidden: true }),
    passive(synthesize(d, { startedAt: '2045-01-01T00:00:00.000Z' }), 6),
    { ...h2, passive: { ...h2.passive!, clientHello: { alpn: ['h2'] } } } as ProbeRecord,
  ];
}

const AT = new Date('2026-12-06T12:30:00Z');

describe('ca-practice from a result store: the fixture library and its variations', () => {
  const file = join(dir, 'mixed.jsonl');
  const store = join(dir, 'mixed.duckdb');
  beforeAll(async () => {
    await writeRecords(mixedRecords(), file);
    await importIntoStore([file], store);
  }, 60_000);

  const cases: Array<[string, Params, Options]> = [
    ["default (each record's startedAt, Node's Mozilla roots, openssl profile)", {}, {}],
    ['--at', { at: AT }, {}],
    ['strict profile', { validityProfile: 'strict' }, {}],
    ['webpki profile', { validityProfile: 'webpki', at: AT }, {}],
    ['validator on the analysis thread (verdicts stored apart: the report states the worker count)', {}, { workers: 0 }],
    ['two worker threads', {}, { workers: 2 }],
  ];
  for (const [name, params, options] of cases) {
    it(`equals consume/finish: ${name}`, async () => {
      const stream = await fromStream(file, params, options);
      const { report } = await fromStore(store, params, options);
      expect(report).toStrictEqual(stream);
    }, 60_000);
  }

  it('reaches what the variations are for: several intervals, a server with two chains, host names', async () => {
    const { report } = await fromStore(store, {});
    expect(report.totals).toMatchObject({ internalErrors: 1 });
    const multi = report.tables.find((t) => t.id === 'multi-chain')!.rows.find((r) => r.service === 'smtp' && r.port === 25);
    expect(multi?.multi).toBe(1);
    const hosts = report.tables.find((t) => t.id === 'hostnames')!.rows.find((r) => r.service === 'smtp' && r.port === 25);
    expect(hosts).toMatchObject({ named: 2, mismatched: 1 });
    const byDir = await openStore(store);
    try {
      // Chains with more than one stored interval: the 2045 and 2001 records need their own verdicts.
      const [row] = await byDir.all<{ n: number }>('SELECT count(*) AS n FROM (SELECT chain FROM ca_practice_chain_verdicts GROUP BY params, chain HAVING count(*) > 1)');
      expect(row!.n).toBeGreaterThan(0);
    } finally {
      await byDir.close();
    }
  }, 60_000);

  it('validates again once records are appended to the store (their intermediates may complete other chains)', async () => {
    const before = await fromStore(store, { at: AT });
    expect(before.run.reused).toBe(true);
    const more = join(dir, 'more.jsonl');
    await writeRecords([synthesize(fixtureRecord('sserver-rsa-gcm'), { ip: '127.0.74.8' })], more);
    await importIntoStore([more], store);
    const after = await fromStore(store, { at: AT });
    expect(after.run).toMatchObject({ reused: false });
    expect(after.run.params).not.toBe(before.run.params);
    expect(after.report).toStrictEqual(await fromStream([file, more], { at: AT }));
  }, 60_000);

  it('`wildtls analyze STORE --analysis ca-practice` prints what it prints for the JSONL, and keeps one verdict set over two runs', async () => {
    const cliStore = join(dir, 'cli.duckdb');
    await importIntoStore([file], cliStore);
    const args = ['--analysis', 'ca-practice', '--at', AT.toISOString(), '--format', 'json'];
    const jsonl = await runCli(['analyze', file, ...args], { timeoutMs: 120_000 });
    expect(jsonl.code, jsonl.stderr).toBe(0);
    for (let run = 0; run < 2; run++) {
      const fromDuck = await runCli(['analyze', cliStore, ...args], { timeoutMs: 120_000 });
      expect(fromDuck.code, fromDuck.stderr).toBe(0);
      expect(JSON.parse(fromDuck.stdout)).toStrictEqual(JSON.parse(jsonl.stdout));
    }
    const s = await openStore(cliStore);
    try {
      expect(await s.all('SELECT count(*) AS n FROM ca_practice_verdict_runs')).toEqual([{ n: 1 }]);
    } finally {
      await s.close();
    }
  }, 300_000);
});

describe('ca-practice from a result store with passive records: streamed through consume/finish', () => {
  const file = join(dir, 'passive.jsonl');
  const store = join(dir, 'passive.duckdb');
  beforeAll(async () => {
    await writeRecords([...mixedRecords(), ...passiveRecords()], file);
    await importIntoStore([file], store);
  }, 60_000);

  for (const [name, params, options] of [['default', {}, {}], ['--at, no exclusion rules', { at: AT }, { passiveExclusions: [] }]] as Array<[string, Params, Options]>) {
    it(`equals consume/finish, passive tables and exclusion rules included: ${name}`, async () => {
      const stream = await fromStream(file, params, options);
      const { report, run } = await fromStoreAny(store, params, options);
      expect(run).toBeUndefined();
      expect(report).toStrictEqual(stream);
      const ids = report.tables.map((t) => t.id);
      expect(ids).toContain('passive-primary-error-connections');
      expect(ids).toContain('passive-exclusions');
      const connections = report.tables.find((t) => t.id === 'passive-chains')!.rows.reduce((n, r) => n + Number(r.connections), 0);
      // Seven passive connections; the study's ALPN rule leaves the h2 one out.
      expect(connections).toBe(options.passiveExclusions ? 7 : 6);
    }, 60_000);
  }
});

describe('ca-practice from a result store: the mid-size population', () => {
  const p = readPopulation(MID_SIZE);
  const file = join(dir, 'mid-size.jsonl.gz');
  const store = join(dir, 'mid-size.duckdb');
  let at: Date;
  let rootsFile: string;
  beforeAll(async () => {
    const { built } = await writePopulation(p, file);
    at = built.at;
    rootsFile = `${file}.roots.pem`;
    await importIntoStore([file], store);
  }, 120_000);

  it('equals consume/finish with its roots and --at, and a second run reuses the verdicts', async () => {
    const stream = await fromStream(file, { rootsFile, at });
    const first = await fromStore(store, { rootsFile, at });
    expect(first.report).toStrictEqual(stream);
    expect(first.run).toMatchObject({ reused: false });
    expect(first.run.validations).toBeGreaterThan(0);
    const again = await fromStore(store, { rootsFile, at });
    expect(again.run).toMatchObject({ reused: true, validations: 0, params: first.run.params });
    expect(again.report).toStrictEqual(stream);
  }, 120_000);

  it("equals consume/finish with each record's startedAt, and does not reuse verdicts made for a fixed time", async () => {
    const stream = await fromStream(file, { rootsFile });
    const { report, run } = await fromStore(store, { rootsFile });
    expect(run.reused).toBe(false);
    expect(report).toStrictEqual(stream);
  }, 120_000);

  it("equals consume/finish with another roots file (Node's Mozilla store), validating again", async () => {
    const stream = await fromStream(file, { at });
    const { report, run } = await fromStore(store, { at });
    expect(run).toMatchObject({ reused: false });
    expect(report).toStrictEqual(stream);
  }, 120_000);

  for (const validityProfile of ['strict', 'webpki']) {
    it(`equals consume/finish under the ${validityProfile} profile, validating again`, async () => {
      const stream = await fromStream(file, { rootsFile, at, validityProfile });
      const { report, run } = await fromStore(store, { rootsFile, at, validityProfile });
      expect(run.reused).toBe(false);
      expect(report).toStrictEqual(stream);
    }, 120_000);
  }
});
