import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The guard is judged in a child Node with a small heap, running the built analyzeInput (npx tsc -b first).
const ANALYZE_INPUT = pathToFileURL(resolve(__dirname, '../dist/analyze-input.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'wildtls-heap-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = join(dir, 'records.jsonl');
writeFileSync(records, Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 25, service: 'smtp', status: 'ok' })).join('\n') + '\n');

/**
 * Runs analyzeInput over the records with an analyzer that keeps `keep` bytes and drops `churn` bytes of garbage per record,
 * and whose finish() keeps `finishKeep` bytes more, then drops `finishChurn` bytes of garbage, 4 KB at a time, letting the
 * event loop turn every 64 (as an analysis's finish() does when it waits for its validator); `flags` go to node.
 */
function run(heapMiB: number, keep: number, churn: number, { finishKeep = 0, finishChurn = 0, flags = [] as string[] } = {}) {
  const script = `
    const { analyzeInput } = await import(${JSON.stringify(ANALYZE_INPUT)});
    const kept = [];
    let sink = 0;
    const a = {
      id: 'hoard',
      consume() {
        // Arrays of small integers: 8 bytes an element on the heap (a repeated string would be a cheap tree of shared parts).
        if (${keep}) kept.push(new Array(${keep} / 8).fill(kept.length));
        if (${churn}) sink += new Array(${churn} / 8).fill(sink & 1023).length;
      },
      async finish() {
        for (let i = 0; i < ${finishKeep} / 4096; i++) {
          kept.push(new Array(512).fill(i));
          if (i % 64 === 0) await new Promise((r) => setImmediate(r));
        }
        for (let i = 0; i < ${finishChurn} / 4096; i++) {
          sink += new Array(512).fill(i).length;
          if (i % 64 === 0) await new Promise((r) => setImmediate(r));
        }
        return { analysis: { id: 'hoard', version: '1' }, totals: { records: kept.length, servers: 0 }, tables: [] };
      },
    };
    await analyzeInput([${JSON.stringify(records)}], [a]);
    console.log('finished');`;
  return spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, ...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
}

describe('HeapGuard in analyzeInput', () => {
  it('stops an analysis whose live state outgrows the heap with a clear error naming the fixes, not V8\'s abort', () => {
    // 60,000 records x 4 KB kept: 240 MB against a 160 MB heap.
    const r = run(160, 4096, 0);
    expect(r.signal).toBeNull(); // V8's out-of-memory abort would be SIGABRT
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('finished');
    expect(r.stderr).toMatch(/JavaScript heap is nearly full \(\d+ MiB live after a full garbage collection, of Node's \d+ MiB limit\) after \d+ records/);
    expect(r.stderr).toContain('wildtls import FILES --into results.duckdb');
    expect(r.stderr).toContain('--max-old-space-size');
    expect(r.stderr).toContain('WILDTLS_ERR_MEMORY');
  });

  it('stops the same way when the heap fills in finish(), after every record was read (issue 18: the 2M-distinct run died there, unguarded)', () => {
    // 60,000 records x 128 bytes kept while reading (nothing to trip on), then 240 MB kept by finish() against a 160 MB heap.
    const r = run(160, 128, 0, { finishKeep: 240 * 2 ** 20 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('finished');
    expect(r.stderr).toMatch(/JavaScript heap is nearly full \(\d+ MiB live after a full garbage collection, of Node's \d+ MiB limit\) while counting 60000 records/);
    expect(r.stderr).toContain('WILDTLS_ERR_MEMORY');
  });

  it('stops a finish() whose live heap stays between 80% and 90% of the limit while it makes garbage: V8 gives up there, not only at 100%', () => {
    // 60,000 records x 128 bytes, then 116 MiB kept by finish(): some 136 MiB live of 160 (85%), then 512 MiB of garbage.
    // V8 aborts ("Ineffective mark-compacts near heap limit") after four full collections in a row that leave the old
    // generation at 80% or more while the program gets under 40% of the time: a guard whose line is above 80% (it was 90%)
    // never sees this heap past its line, and the run ends in SIGABRT (or, some runs, finishes); the guard must stop it.
    const r = run(160, 128, 0, { finishKeep: 116 * 2 ** 20, finishChurn: 512 * 2 ** 20 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('finished');
    expect(r.stderr).toMatch(/JavaScript heap is nearly full \(\d+ MiB live after a full garbage collection, of Node's 160 MiB limit\) while counting 60000 records/);
    expect(r.stderr).toContain('WILDTLS_ERR_MEMORY');
  });

  it('the same with 64 MiB semi-spaces (--max-semi-space-size): the limit it judges by is still the old generation\'s 160 MiB', () => {
    // heap_size_limit is then 160 + 3 x 64 MiB: a guard that took the young generation for its default 3 x 16 MiB would put
    // its line at 80% of 304 MiB, past this heap, and the run would end in SIGABRT.
    const r = run(160, 128, 0, { finishKeep: 116 * 2 ** 20, finishChurn: 512 * 2 ** 20, flags: ['--max-semi-space-size=64'] });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/JavaScript heap is nearly full \(\d+ MiB live after a full garbage collection, of Node's 160 MiB limit\) while counting 60000 records/);
    expect(r.stderr).toContain('WILDTLS_ERR_MEMORY');
  });

  it('does not fire on garbage: many times the heap allocated and dropped, little kept', () => {
    // 60,000 records x 16 KB of garbage each (some 1 GB in all) through a 96 MB heap, 128 bytes kept per record.
    const r = run(96, 128, 16_384);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('finished');
    expect(r.status).toBe(0);
  });
});
