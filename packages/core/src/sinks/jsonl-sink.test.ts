import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../record/record-schema.js';
import { readRecords } from '../analysis/read-records.js';
import { JsonlSink } from './jsonl-sink.js';
import { parseRecordLine } from '../record/record-line.js';

const rec = (i: number): ProbeRecord => ({
  ip: `127.0.0.${i}`, port: 25, service: 'smtp', protocol: 'smtp', mode: 'starttls', status: 'success', startedAt: new Date(0).toISOString(), durationMs: i,
});

describe('JSONL sink and reader', () => {
  it('writes plain and gzip files that read back record for record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-sink-'));
    for (const path of [join(dir, 'r.jsonl'), join(dir, 'r.jsonl.gz')]) {
      const sink = new JsonlSink({ path });
      for (let i = 1; i <= 1000; i++) await sink.write(rec(i));
      await sink.close();
      const raw = readFileSync(path);
      const text = path.endsWith('.gz') ? gunzipSync(raw).toString() : raw.toString();
      expect(text.trim().split('\n')).toHaveLength(1000);
      const back: ProbeRecord[] = [];
      for await (const r of readRecords(path)) back.push(r);
      expect(back).toEqual(Array.from({ length: 1000 }, (_, i) => rec(i + 1)));
    }
  });

  it("writes a worker's record as the line the worker serialized, and serializes any other record", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    // Spacing no serializer on our side would produce: only the remembered line can give it back.
    const line = '{"ip": "127.0.0.9", "port": 25, "service": "smtp", "protocol": "smtp", "mode": "starttls", "status": "success", "startedAt": "1970-01-01T00:00:00.000Z", "durationMs": 9}';
    const fromWorker = parseRecordLine(line);
    expect(fromWorker).toEqual(rec(9));
    const sink = new JsonlSink({ path });
    await sink.write(fromWorker);
    await sink.write(rec(10));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${line}\n${JSON.stringify(rec(10))}\n`);
  });

  it('writes lines of any length and characters as their UTF-8 (lines longer than a batch, multi-byte characters at batch ends)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    const records: ProbeRecord[] = [];
    // Lines from a few bytes to several batches long; 2-, 3- and 4-byte characters; a line that ends a batch.
    for (let i = 1; i <= 400; i++) records.push({ ...rec(i), banner: ['é', '€', '😀', 'a'][i % 4]!.repeat((i * 977) % 3000) });
    records.push({ ...rec(401), banner: '€'.repeat(100_000) }, { ...rec(402), banner: 'x'.repeat(300_000) }, rec(403));
    const sink = new JsonlSink({ path });
    for (const r of records) await sink.write(r);
    await sink.close();
    expect(readFileSync(path).equals(Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8'))).toBe(true);
  });

  it('appends when asked (resume)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    for (const i of [1, 2]) {
      const sink = new JsonlSink({ path, append: true });
      await sink.write(rec(i));
      await sink.close();
    }
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('batches lines, and flush puts every line written so far in the file (what a checkpoint counts)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    const sink = new JsonlSink({ path });
    for (let i = 1; i <= 3; i++) await sink.write(rec(i));
    await sink.flush();
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProbeRecord)).toEqual([rec(1), rec(2), rec(3)]);
    for (let i = 4; i <= 3000; i++) await sink.write(rec(i));
    await sink.flush();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3000);
    await sink.close();
  });

  it('hands a batch over on its own after a short while (a slow scan still shows its output)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    const sink = new JsonlSink({ path });
    await sink.write(rec(1));
    const text = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    for (let i = 0; i < 50 && text() === ''; i++) await new Promise((r) => setTimeout(r, 20));
    expect(text()).toBe(JSON.stringify(rec(1)) + '\n');
    await sink.close();
  });

  it('waits for a slow consumer: what it holds stays bounded, and every line arrives in order', async () => {
    let received = '';
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        inFlight += chunk.length;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          received += chunk.toString();
          inFlight -= chunk.length;
          cb();
        }, 2);
      },
    });
    const sink = new JsonlSink({ path: '-' }, slow);
    // ~3 MB: many batches, so batch buffers are filled again (only once the stream is done with them, or lines would be garbled).
    for (let i = 1; i <= 20000; i++) await sink.write(rec(i));
    await sink.flush();
    const lines = received.trim().split('\n');
    expect(lines).toHaveLength(20000);
    expect(lines.map((l) => (JSON.parse(l) as ProbeRecord).durationMs)).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    // One batch (~256 KiB) and the next at most, never the whole output.
    expect(maxInFlight).toBeLessThan(20000 * 100);
    expect(maxInFlight).toBeLessThanOrEqual(2 * 256 * 1024 + 200);
  });

  it('a stream that queues many batches before writing any (a large high-water mark) gets every line intact: a batch buffer is filled again only once written', async () => {
    const chunks: Buffer[] = [];
    const lazy = new Writable({
      highWaterMark: 64 * 1024 * 1024,
      write(chunk: Buffer, _enc, cb) {
        // Kept as given (not copied) and read at the end: a buffer refilled before this callback would show.
        chunks.push(chunk);
        setTimeout(cb, 1);
      },
    });
    const sink = new JsonlSink({ path: '-' }, lazy);
    const records = Array.from({ length: 20000 }, (_, i) => rec(i + 1));
    for (const r of records) await sink.write(r);
    await sink.flush();
    await new Promise<void>((resolve) => lazy.end(resolve));
    expect(chunks.length).toBeGreaterThan(8);
    expect(Buffer.concat(chunks).toString()).toBe(records.map((r) => JSON.stringify(r) + '\n').join(''));
  });

  it("stdout's reader going away (EPIPE) drops records quietly and is reported once; other stream errors still fail", async () => {
    // A stdout whose reader is gone after the first chunk, as `| head -1` leaves it; it accepts little, so drains are pending.
    let chunks = 0;
    const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const out = new Writable({ highWaterMark: 16, write: (_c, _e, cb) => (chunks++ === 0 ? cb() : cb(epipe())) });
    let gone = 0;
    const sink = new JsonlSink({ path: '-' }, out, () => gone++);
    for (let i = 1; i <= 3000; i++) await sink.write(rec(i % 250));
    await sink.flush();
    await sink.close();
    expect(gone).toBe(1);
    expect(chunks).toBe(2); // the first batch, then the one that failed: nothing written after it

    const broken = new Writable({ highWaterMark: 16, write: (_c, _e, cb) => cb(Object.assign(new Error('write EIO'), { code: 'EIO' })) });
    const other = new JsonlSink({ path: '-' }, broken);
    const failed = (async () => {
      for (let i = 1; i <= 3000; i++) await other.write(rec(i % 250));
    })();
    await expect(failed).rejects.toThrow('EIO');
  });
});
