import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ProbeRecord } from '../record/record-schema.js';
import { certFingerprint } from './store-record.js';
import { certificatesParquetPath, exportStore } from './export-store.js';
import { importIntoStore } from './import-records.js';

const FIXTURE = resolve(__dirname, '../../../../test/synthetic/fixture/records.jsonl');
const TEXT = readFileSync(FIXTURE, 'utf8');
const RECORDS = TEXT.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeRecord);
const dir = mkdtempSync(join(tmpdir(), 'wildtls-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportStore', () => {
  it('jsonl.gz gives back the imported file byte for byte', async () => {
    const store = join(dir, 'a.duckdb');
    await importIntoStore([FIXTURE], store);
    const out = join(dir, 'a.jsonl.gz');
    expect(await exportStore(store, 'jsonl', out)).toEqual({ records: RECORDS.length, files: [out] });
    expect(gunzipSync(readFileSync(out)).toString('utf8')).toBe(TEXT);
  });

  it('parquet: the records as stored and the certificates beside them, read back through DuckDB', async () => {
    const store = join(dir, 'b.duckdb');
    await importIntoStore([FIXTURE], store);
    const out = join(dir, 'b.parquet');
    expect(await exportStore(store, 'parquet', out)).toEqual({ records: RECORDS.length, files: [out, join(dir, 'b.certificates.parquet')] });
    expect(certificatesParquetPath(out)).toBe(join(dir, 'b.certificates.parquet'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const rows = (await conn.runAndReadAll(`SELECT seq, ip, port, service, status, chain, record FROM read_parquet('${out}') ORDER BY seq`)).getRowObjectsJS();
      expect(rows).toHaveLength(RECORDS.length);
      rows.forEach((row, i) => {
        const r = RECORDS[i]!;
        expect(row).toMatchObject({ seq: BigInt(i), ip: r.ip, port: r.port, service: r.service, status: r.status });
        expect(row.chain).toEqual(r.tls?.chain ? r.tls.chain.map(certFingerprint) : null);
      });
      // Each record's chain, joined back to DER through the certificates file, is the record's chain.
      const joined = (await conn.runAndReadAll(`
        SELECT r.seq, list(base64(c.der) ORDER BY u.i) AS chain
        FROM read_parquet('${out}') r, unnest(r.chain) WITH ORDINALITY AS u(fp, i)
        JOIN read_parquet('${certificatesParquetPath(out)}') c ON c.sha256 = u.fp
        GROUP BY r.seq ORDER BY r.seq`)).getRowObjectsJS();
      const withChain = RECORDS.map((r, i) => [i, r.tls?.chain] as const).filter(([, c]) => c?.length);
      expect(joined.map((j) => [Number(j.seq), j.chain])).toEqual(withChain);
      const distinct = new Set(RECORDS.flatMap((r) => r.tls?.chain ?? []));
      const [certs] = (await conn.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT sha256) AS d FROM read_parquet('${certificatesParquetPath(out)}')`)).getRowObjectsJS();
      expect(certs).toEqual({ n: BigInt(distinct.size), d: BigInt(distinct.size) });
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
