/**
 * The analysis over a small result fixture (JSONL, the format `wildtls scan`
 * writes). Every expected number is worked out by hand from the fixture.
 * FILL IN: records that exercise each case your analysis distinguishes.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRecords, type Report } from '@wildtls/core';
import plugin, { __PASCAL__Analyzer } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/records.jsonl', import.meta.url));

async function analyze(services: string[] = []): Promise<Report> {
  const analyzer = new __PASCAL__Analyzer({ version: plugin.version, services });
  for await (const record of readRecords(fixture)) analyzer.consume(record);
  return analyzer.finish();
}

describe('__NAME__ analysis', () => {
  it('declares itself as a wildtls analysis plugin', () => {
    expect(plugin).toMatchObject({ kind: 'analysis', id: '__NAME__', api: '^1.0.0' });
  });

  it('counts per server: the repeated smtp server counts once, with its first record', async () => {
    const report = await analyze();
    expect(report.countingRule).toBe('per-server');
    expect(report.totals).toEqual({ records: 5, servers: 4 });
    expect(report.tables[0]!.rows).toEqual([
      { service: 'imaps', servers: 2, tlsCompleted: 1, share: 0.5 },
      { service: 'smtp', servers: 2, tlsCompleted: 1, share: 0.5 },
    ]);
  });

  it('restricts the count to the configured services', async () => {
    const report = await analyze(['imaps']);
    expect(report.tables[0]!.rows).toEqual([{ service: 'imaps', servers: 2, tlsCompleted: 1, share: 0.5 }]);
  });
});
