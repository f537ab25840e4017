import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ProbeRecord } from '../record/record-schema.js';
import { IMPORT_BATCH, importIntoStore } from './import-records.js';
import { openStore } from './result-store.js';
import { StoreSink } from './store-sink.js';
import { StoreWriter } from './store-writer.js';
import { isStoreFile } from './store-file.js';
import { readRecords } from '../analysis/read-records.js';

const FIXTURE = resolve(__dirname, '../../../../test/synthetic/fixture/records.jsonl');
const LINES = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'wildtls-store-'));
let n = 0;
const fresh = (): string => join(dir, `s${n++}.duckdb`);

async function exported(path: string): Promise<string[]> {
  const store = await openStore(path, { readOnly: true });
  const out: string[] = [];
  try {
    for await (const r of store.records()) out.push(JSON.stringify(r));
  } finally {
    await store.close();
  }
  return out;
}

/** The distinct certificates of the fixture, counted from the JSONL itself. */
const distinctCerts = new Set(LINES.flatMap((l) => (JSON.parse(l) as ProbeRecord).tls?.chain ?? []));

afterAll(() => execFileSync('rm', ['-rf', dir]));

describe('result store', () => {

  it('gives back every fixture record byte-equal after an import', async () => {
    const path = fresh();
    expect(await importIntoStore([FIXTURE], path)).toEqual({ records: LINES.length });
    expect(await exported(path)).toEqual(LINES);
  });

  it('keeps a hostile chain (entries that are not strings, base64 that is not canonical) verbatim in the JSON, its string entries in the chain column', async () => {
    const base = JSON.parse(LINES[0]!) as ProbeRecord;
    const hostile = [
      { ...base, ip: '127.0.70.201', tls: { ...base.tls!, chain: [null, 5, {}, 'AAAA'] as unknown as string[] } },
      { ...base, ip: '127.0.70.202', tls: { ...base.tls!, chain: ['AAB=', 'AA AA'] } },
      { ...base, ip: '127.0.70.203', tls: { ...base.tls!, chain: [] } },
    ];
    const lines = [LINES[0]!, ...hostile.map((r) => JSON.stringify(r))];
    const file = join(dir, 'hostile.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const path = fresh();
    await importIntoStore([file], path);
    expect(await exported(path)).toEqual(lines);
    const store = await openStore(path, { readOnly: true });
    try {
      const rows = await store.all<{ ip: string; chain: string[] | null }>('SELECT ip, chain FROM records ORDER BY seq');
      // The chain column holds the string entries' fingerprints, as the analyses read them; the JSON keeps the hostile chain as it came.
      const fp = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');
      expect(rows[1]!.chain).toEqual([fp('AAAA')]);
      expect(rows[2]!.chain).toEqual([fp('AAB='), fp('AA AA')]);
      expect(rows[3]!.chain).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('restores every chain when more distinct certificates pass through one read chunk than the reader caches', async () => {
    // Certificate X is cached from the first chunk; in the second (DuckDB reads 2048 rows at a time) X is used
    // first and last, with about 24,500 new certificates in between: more than the reader's cache holds.
    const base = JSON.parse(LINES[0]!) as ProbeRecord;
    let next = 0;
    const cert = (): string => {
      const b = Buffer.alloc(24);
      b.writeUInt32BE(next++, 0);
      return b.toString('base64');
    };
    const X = cert();
    const rec = (i: number, chain: string[]) => JSON.stringify({ ...base, ip: `127.0.70.${i % 250}`, port: 1000 + (i % 60000), tls: { ...base.tls!, chain } });
    const lines: string[] = [];
    for (let i = 0; i < 2048; i++) lines.push(rec(i, i === 0 ? [X] : [cert()]));
    lines.push(rec(2048, [X]));
    for (let i = 2049; i < 4095; i++) lines.push(rec(i, Array.from({ length: 12 }, cert)));
    lines.push(rec(4095, [X]));
    const file = join(dir, 'many-certs.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const path = fresh();
    await importIntoStore([file], path);
    expect(await exported(path)).toEqual(lines);
  }, 60_000);

  it('opens stores with a bounded DuckDB memory_limit, WILDTLS_STORE_MEMORY_LIMIT overrides it, garbage is a usage error', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE], path);
    const limit = async (): Promise<string> => {
      const store = await openStore(path, { readOnly: true });
      try {
        return (await store.all<{ v: string }>("SELECT current_setting('memory_limit') AS v"))[0]!.v;
      } finally {
        await store.close();
      }
    };
    const saved = process.env.WILDTLS_STORE_MEMORY_LIMIT;
    try {
      delete process.env.WILDTLS_STORE_MEMORY_LIMIT;
      const byDefault = await limit();
      process.env.WILDTLS_STORE_MEMORY_LIMIT = '512MB';
      const set = await limit();
      expect(byDefault).not.toEqual(set);
      expect(set).toMatch(/^(488\.2 MiB|512\.0 MB|488\.[0-9] MiB)$/);
      expect(byDefault).toMatch(/^(1\.8 GiB|2\.0 GB|1\.8[0-9]* GiB)$/);
      process.env.WILDTLS_STORE_MEMORY_LIMIT = 'lots';
      await expect(openStore(path, { readOnly: true })).rejects.toThrow(/WILDTLS_STORE_MEMORY_LIMIT=lots: give a size/);
    } finally {
      if (saved === undefined) delete process.env.WILDTLS_STORE_MEMORY_LIMIT;
      else process.env.WILDTLS_STORE_MEMORY_LIMIT = saved;
    }
  });

  it('stores each distinct certificate once, records keep fingerprints, seq is the write order', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE, FIXTURE], path);
    const store = await openStore(path);
    try {
      expect(distinctCerts.size).toBeGreaterThan(1);
      const [c] = await store.all<{ n: number; bytes: number }>('SELECT count(*) AS n, sum(octet_length(der)) AS bytes FROM certificates');
      expect(c!.n).toBe(distinctCerts.size);
      const shared = await store.all<{ n: number }>('SELECT count(*) AS n FROM records, unnest(chain) AS u(fp) GROUP BY fp ORDER BY n DESC LIMIT 1');
      expect(shared[0]!.n).toBeGreaterThan(2);
      expect(await store.count()).toBe(2 * LINES.length);
      const seqs = await store.all<{ seq: number }>('SELECT seq FROM records');
      expect(seqs.map((r) => r.seq)).toEqual([...Array(2 * LINES.length).keys()]);
      const [row] = await store.all<{ chain: string[] | null; record: string }>('SELECT chain, record FROM records WHERE chain IS NOT NULL LIMIT 1');
      expect(row!.chain!.every((fp) => /^[0-9a-f]{64}$/.test(fp))).toBe(true);
      expect((JSON.parse(row!.record) as ProbeRecord).tls!.chain).toEqual(row!.chain);
      const meta = await store.all<{ key: string; value: string }>('SELECT key, value FROM wildtls_meta ORDER BY key');
      expect(Object.fromEntries(meta.map((m) => [m.key, m.value]))).toMatchObject({ format: 'wildtls-store', schema_version: '1' });
    } finally {
      await store.close();
    }
  });

  it('a writer whose caches hold fewer certificates than pass through stores each once and gives every record back', async () => {
    const path = fresh();
    const records = [...LINES, ...LINES].map((l) => JSON.parse(l) as ProbeRecord);
    const store = await openStore(path, { create: true });
    try {
      const writer = new StoreWriter(store, 4);
      for (let i = 0; i < records.length; i += 7) await writer.write(records.slice(i, i + 7));
      expect(distinctCerts.size).toBeGreaterThan(8);
      const [c] = await store.all<{ n: number }>('SELECT count(*) AS n FROM certificates');
      expect(c!.n).toBe(distinctCerts.size);
    } finally {
      await store.close();
    }
    expect(await exported(path)).toEqual([...LINES, ...LINES]);
  });

  it('imports gzip by content and several files in order; records(where) filters', async () => {
    const gz = join(dir, 'records.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(FIXTURE)));
    const path = fresh();
    await importIntoStore([gz, FIXTURE], path);
    expect(await exported(path)).toEqual([...LINES, ...LINES]);
    const store = await openStore(path);
    try {
      const smtp: string[] = [];
      for await (const r of store.records(`service = 'smtp'`)) smtp.push(JSON.stringify(r));
      const expected = LINES.filter((l) => (JSON.parse(l) as ProbeRecord).service === 'smtp');
      expect(expected.length).toBeGreaterThan(0);
      expect(smtp).toEqual([...expected, ...expected]);
    } finally {
      await store.close();
    }
  });

  it('a bad line after committed batches: the error names the line and how many records the store kept', async () => {
    const good = '{"ip":"127.0.0.1","port":25,"service":"smtp"}\n';
    const file = join(dir, 'late-bad.jsonl');
    writeFileSync(file, good.repeat(IMPORT_BATCH + 5) + '{"ip":"127.0.0.2","port":25.5,"service":"smtp"}\n' + good);
    const path = fresh();
    await expect(importIntoStore([file], path)).rejects.toThrow(
      `${file}:${IMPORT_BATCH + 6}: not a wildtls record (port 25.5 is not a whole number a port can be) (--lenient skips such lines and counts them); the ${IMPORT_BATCH} records before it were imported into ${path}`,
    );
    expect(await exported(path)).toHaveLength(IMPORT_BATCH);
  });

  it('the sink commits on flush and a resume deletes what came after the checkpoint', async () => {
    const path = fresh();
    const records = LINES.map((l) => JSON.parse(l) as ProbeRecord);
    const sink = await StoreSink.open({ path });
    for (const r of records.slice(0, 10)) await sink.write(r);
    await sink.flush();
    expect(await sink.count()).toBe(10);
    for (const r of records.slice(10, 20)) await sink.write(r);
    await sink.close();
    const resumed = await StoreSink.open({ path, resumeAt: 10 });
    expect(await resumed.count()).toBe(10);
    for (const r of records.slice(10)) await resumed.write(r);
    await resumed.close();
    expect(await exported(path)).toEqual(LINES);
  });

  it('readRecords streams a store, told by its magic bytes whatever its name', async () => {
    const path = join(dir, 'results.bin');
    await importIntoStore([FIXTURE], path);
    expect(await isStoreFile(path)).toBe(true);
    expect(await isStoreFile(FIXTURE)).toBe(false);
    const out: string[] = [];
    for await (const r of readRecords(path)) out.push(JSON.stringify(r));
    expect(out).toEqual(LINES);
  });

  it('StoreQuery: all, rows (streamed), run, append', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE], path);
    const store = await openStore(path);
    try {
      await store.run('CREATE TABLE t_x(a BIGINT, b VARCHAR, c VARCHAR[], d BLOB)');
      await store.append('t_x', [[1, 'one', ['x', 'y'], new Uint8Array([1, 2])], [2, null, null, null]]);
      expect(await store.all('SELECT * FROM t_x ORDER BY a')).toEqual([
        { a: 1, b: 'one', c: ['x', 'y'], d: new Uint8Array([1, 2]) },
        { a: 2, b: null, c: null, d: null },
      ]);
      let rows = 0;
      for await (const r of store.rows<{ seq: number }>('SELECT seq FROM records WHERE port > $1', [0])) {
        expect(typeof r.seq).toBe('number');
        await store.all('SELECT 1'); // another query while the stream is open
        rows++;
      }
      expect(rows).toBe(LINES.length);
    } finally {
      await store.close();
    }
  });
});

describe('result store: bad input', () => {
  it('a file that is not a DuckDB database', async () => {
    const path = join(dir, 'junk.duckdb');
    writeFileSync(path, Buffer.alloc(100_000, 7));
    await expect(openStore(path)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_CORRUPT', message: expect.stringContaining(path) });
  });

  it('a store cut short: an error naming the file when opening or reading it', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE], path);
    const whole = readFileSync(path);
    for (const size of [4096, 300_000, Math.floor(whole.length * 0.6)]) {
      const cut = join(dir, `cut-${size}.duckdb`);
      writeFileSync(cut, whole.subarray(0, size));
      const read = async () => {
        for await (const _ of readRecords(cut)) void _;
      };
      await expect(read(), `cut at ${size}`).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_CORRUPT', message: expect.stringContaining(cut) });
    }
  });

  it('a missing file', async () => {
    await expect(openStore(join(dir, 'none.duckdb'))).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_NOT_FOUND' });
  });

  it('a DuckDB file that is not a wildtls store, and one of another format', async () => {
    const path = fresh();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run('CREATE TABLE t(a INTEGER)');
    conn.closeSync();
    db.closeSync();
    await expect(openStore(path)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_CORRUPT', message: expect.stringMatching(/not a wildtls result store \(no wildtls_meta/) });
    const other = fresh();
    const db2 = await DuckDBInstance.create(other);
    const conn2 = await db2.connect();
    await conn2.run(`CREATE TABLE wildtls_meta(key VARCHAR, value VARCHAR); INSERT INTO wildtls_meta VALUES ('format', 'other')`);
    conn2.closeSync();
    db2.closeSync();
    await expect(openStore(other)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_CORRUPT', message: expect.stringContaining('format "other"') });
  });

  it('a store of a newer schema version', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE], path);
    const store = await openStore(path);
    await store.run(`UPDATE wildtls_meta SET value = '2' WHERE key = 'schema_version'`);
    await store.close();
    await expect(openStore(path)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_VERSION', message: expect.stringContaining(path) });
  });

  it('a store another process holds', async () => {
    const path = fresh();
    await importIntoStore([FIXTURE], path);
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(path)}).then(() => { console.log('held'); setTimeout(() => {}, 60000); });
    `], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((ok) => holder.stdout.once('data', () => ok()));
      await expect(openStore(path)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_LOCKED', message: expect.stringContaining(`(pid ${holder.pid})`) });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
