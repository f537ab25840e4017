import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '../record/record-schema.js';
import { readRecords } from '../analysis/read-records.js';
import { JsonlSink } from './jsonl-sink.js';

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

  it('appends when asked (resume)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wildtls-sink-')), 'r.jsonl');
    for (const i of [1, 2]) {
      const sink = new JsonlSink({ path, append: true });
      await sink.write(rec(i));
      await sink.close();
    }
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
