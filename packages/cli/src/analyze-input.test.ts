import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importIntoStore, type Analyzer, type ProbeRecord, type Report, type StoreQuery } from '@wildtls/core';
import { analyzeInput } from './analyze-input.js';

const FIXTURE = resolve(__dirname, '../../../test/synthetic/fixture/records.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'wildtls-analyze-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(id: string, counts: Record<string, number>, records: number): Report {
  return { analysis: { id, version: '1' }, countingRule: 'per-record', totals: { records, servers: 0 }, tables: [{ id: 'by-service', title: 'by service', columns: [], rows: Object.entries(counts).sort().map(([service, n]) => ({ service, n })) }] } as unknown as Report;
}

/** Counts records per service and the certificates of their chains, record by record. */
class Streamed implements Analyzer {
  counts: Record<string, number> = {};
  records = 0;
  consumed = 0;
  constructor(readonly id: string) {}
  consume(r: ProbeRecord): void {
    this.consumed++;
    this.records++;
    this.counts[r.service] = (this.counts[r.service] ?? 0) + (r.tls?.chain?.length ?? 0) + 1;
  }
  finish(): Report {
    return report(this.id, this.counts, this.records);
  }
}

/** The same counts, in SQL when given a store. */
class WithStore extends Streamed {
  fromStore = 0;
  async analyzeStore(store: StoreQuery): Promise<Report> {
    this.fromStore++;
    const rows = await store.all<{ service: string; n: number; records: number }>(
      'SELECT service, sum(coalesce(len(chain), 0) + 1) AS n, count(*) AS records FROM records GROUP BY service');
    return report(this.id, Object.fromEntries(rows.map((r) => [r.service, r.n])), rows.reduce((s, r) => s + r.records, 0));
  }
}

describe('analyzeInput', () => {
  it('gives a store to analyzers with analyzeStore, streams the records once to the others, same reports as the JSONL', async () => {
    const store = join(dir, 'a.duckdb');
    await importIntoStore([FIXTURE], store);
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).length;

    const jsonl = [new Streamed('s'), new WithStore('w')];
    const fromJsonl = await analyzeInput([FIXTURE], jsonl);
    expect((jsonl[1] as WithStore).fromStore).toBe(0);

    const a = new Streamed('s');
    const b = new WithStore('w');
    const c = new Streamed('s2');
    const fromStore = await analyzeInput([store], [a, b, c]);
    expect(b.fromStore).toBe(1);
    expect(b.consumed).toBe(0);
    expect(a.consumed).toBe(lines);
    expect(c.consumed).toBe(lines);
    expect(fromStore[0]).toEqual(fromJsonl[0]);
    expect(fromStore[1]).toEqual(fromJsonl[1]);
    expect(fromStore[2]).toEqual({ ...fromJsonl[0], analysis: { id: 's2', version: '1' } });
  });

  it('a store among several inputs is streamed like a file', async () => {
    const store = join(dir, 'b.duckdb');
    await importIntoStore([FIXTURE], store);
    const b = new WithStore('w');
    const [r] = await analyzeInput([store, FIXTURE], [b]);
    expect(b.fromStore).toBe(0);
    const [single] = await analyzeInput([FIXTURE], [new Streamed('w')]);
    expect(r!.totals.records).toBe(2 * single!.totals.records);
  });
});
