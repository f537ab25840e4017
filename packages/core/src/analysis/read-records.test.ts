import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecords } from './read-records.js';

async function drain(file: string): Promise<number> {
  let n = 0;
  for await (const _ of readRecords(file)) n++;
  return n;
}

describe('readRecords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-read-'));
  const good = '{"ip":"127.0.0.1","port":25,"service":"smtp"}';

  it('names the file and line of a corrupt record', async () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, `${good}\n\n{"ip": 1,\n`);
    await expect(drain(f)).rejects.toThrow(`${f}:3: not a JSON record`);
  });

  it('rejects JSON that is not a record', async () => {
    const f = join(dir, 'notrec.jsonl');
    writeFileSync(f, '[1,2,3]\n');
    await expect(drain(f)).rejects.toThrow(`${f}:1: not a wildtls record`);
  });

  it('detects gzip by content and reports a truncated one', async () => {
    const f = join(dir, 'r.gz');
    const z = gzipSync(Buffer.from(`${good}\n${good}\n`));
    writeFileSync(f, z);
    expect(await drain(f)).toBe(2);
    const t = join(dir, 'trunc.jsonl.gz');
    writeFileSync(t, z.subarray(0, z.length - 12));
    await expect(drain(t)).rejects.toThrow(/trunc\.jsonl\.gz/);
  });

  it('names a missing file', async () => {
    await expect(drain(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read results .*missing\.jsonl/);
  });
});
