import { describe, expect, it } from 'vitest';
import { CryptoAnalyzer } from '../src/crypto-analyzer.js';
import { HOSTILE_RECORDS } from './hostile-records.js';

describe('CryptoAnalyzer on malformed records', () => {
  it('files odd values under "unknown" and never throws', async () => {
    const a = new CryptoAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const r = await a.finish();
    expect(r.totals).toMatchObject({ records: 4, servers: 4, handshakes: 2 });
    expect(r.tables.find((t) => t.id === 'versions')!.rows.map((x) => [x.version, x.servers])).toEqual([['unknown', 2]]);
    expect(r.tables.find((t) => t.id === 'ecdhe-groups')!.rows.map((x) => x.group)).toEqual(['unknown']);
    expect(r.tables.find((t) => t.id === 'dhe-sizes')!.rows.map((x) => x.bits)).toEqual(['2048']);
    expect(r.tables.find((t) => t.id === 'ocsp-stapling')!.rows[0]).toMatchObject({ stapled: 0 });
  });
});
