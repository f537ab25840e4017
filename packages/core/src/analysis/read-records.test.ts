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

  it('rejects a port that is not a whole number, or too large for any column, naming the line; lenient skips it', async () => {
    const f = join(dir, 'port.jsonl');
    writeFileSync(f, `${good}\n{"ip":"127.0.0.2","port":25.5,"service":"smtp"}\n{"ip":"127.0.0.3","port":1e12,"service":"smtp"}\n{"ip":"127.0.0.4","port":65536,"service":"smtp"}\n`);
    await expect(drain(f)).rejects.toThrow(`${f}:2: not a wildtls record (port 25.5 is not a whole number a port can be)`);
    const skipped: string[] = [];
    const ports: number[] = [];
    for await (const r of readRecords(f, undefined, { lenient: true, onSkip: (where) => skipped.push(where) })) ports.push(r.port);
    expect(skipped).toEqual([`${f}:2`, `${f}:3`]);
    // Out of 1-65535 but whole: kept, as a hostile record the analyses count (their store-equality tests use such ports).
    expect(ports).toEqual([25, 65536]);
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

  it('names a missing file, with its own code', async () => {
    const missing = join(dir, 'missing.jsonl');
    await expect(drain(missing)).rejects.toMatchObject({ code: 'WILDTLS_ERR_RESULTS_NOT_FOUND', message: `results file not found: ${missing}` });
  });

  it('lenient: skips what is not a record and a broken-off gzip rest, says where, and yields the rest', async () => {
    const skips: string[] = [];
    const read = async (file: string) => {
      const out: string[] = [];
      for await (const r of readRecords(file, undefined, { lenient: true, onSkip: (where) => skips.push(where) })) out.push(r.ip);
      return out;
    };
    const f = join(dir, 'mixed.jsonl');
    writeFileSync(f, `${good}\n[1]\n${good}\n{"ip":"127.0.0.2","po`);
    expect(await read(f)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(skips).toEqual([`${f}:2`, `${f}:4`]);
    const t = join(dir, 'cut.jsonl.gz');
    const z = gzipSync(Buffer.from(`${good}\n`.repeat(2000)));
    writeFileSync(t, z.subarray(0, z.length - 12));
    expect((await read(t)).length).toBeGreaterThan(0);
    expect(skips.at(-1)).toBe(t);
  });
});
