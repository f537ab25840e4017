import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cryptoPlugin from '@wildtls/analysis-crypto';
import { byGroup, nested, synthetic, table, type Synthetic } from './synthetic-fixture.js';

describe('crypto analysis on synthetic results', () => {
  let s: Synthetic;
  let report: Awaited<ReturnType<Synthetic['run']>>[number];
  beforeAll(async () => {
    s = await synthetic({ seed: 11 });
    [report] = await s.run(await cryptoPlugin.create({ options: {}, params: {}, container: {} as never, logger: {} as never }));
  });
  afterAll(() => s.cleanup());

  it('counts completed handshakes per server', () => {
    const total = Object.values<any>(s.truth.crypto).reduce((a, g) => a + g.completed, 0);
    expect(report.totals).toMatchObject({ records: s.truth.records, servers: s.truth.servers, handshakes: total });
  });

  it('recovers negotiated versions (Table IV)', () => {
    const got = nested(table(report, 'versions'), 'version', 'servers');
    expect(got).toEqual(Object.fromEntries(Object.entries<any>(s.truth.crypto).map(([g, t]) => [g, t.versions])));
    for (const r of table(report, 'versions').rows) expect(r.share).toBe((r.servers as number) / s.truth.crypto[`${r.service}:${r.port}`].completed);
  });

  it('recovers cipher categories (Fig. 3), zero rows included', () => {
    const got = nested(table(report, 'cipher-categories'), 'category', 'servers');
    for (const [g, t] of Object.entries<any>(s.truth.crypto)) {
      for (const c of ['ECDHE', 'DHE', 'AES (no FS)', 'RC4', '3DES', 'other']) expect(got[g]![c], `${g} ${c}`).toBe(t.categories[c] ?? 0);
    }
  });

  it('recovers ECDHE groups, DHE prime sizes and OCSP stapling', () => {
    const truth = Object.entries<any>(s.truth.crypto);
    expect(nested(table(report, 'ecdhe-groups'), 'group', 'servers')).toEqual(Object.fromEntries(truth.map(([g, t]) => [g, t.groups])));
    expect(nested(table(report, 'dhe-sizes'), 'bits', 'servers')).toEqual(Object.fromEntries(truth.map(([g, t]) => [g, t.dheBits])));
    const ocsp = byGroup(table(report, 'ocsp-stapling'));
    for (const [g, t] of truth) expect(ocsp[g], g).toMatchObject({ servers: t.completed, stapled: t.stapled, share: t.stapled / t.completed });
  });
});
