import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import starttlsPlugin from '@wildtls/analysis-starttls';
import { byGroup, synthetic, table, type Synthetic } from './synthetic-fixture.js';

describe('starttls analysis on synthetic results', () => {
  let s: Synthetic;
  let report: Awaited<ReturnType<Synthetic['run']>>[number];
  beforeAll(async () => {
    s = await synthetic();
    [report] = await s.run(await starttlsPlugin.create({ options: {}, params: {}, container: {} as never, logger: {} as never }));
  });
  afterAll(() => s.cleanup());

  it('counts every record and server', () => {
    expect(report.totals).toMatchObject({ records: s.truth.records, servers: s.truth.servers });
  });

  it('recovers the STARTTLS funnel per service and port (Table I)', () => {
    const rows = byGroup(table(report, 'support'));
    for (const [g, t] of Object.entries<any>(s.truth.starttls)) {
      if (g === 'all') continue;
      const starttls = rows[g]!.mode === 'starttls';
      expect(rows[g], g).toMatchObject({
        probed: t.probed,
        answered: t.answered,
        offered: starttls ? t.offered : null,
        upgraded: starttls ? t.upgraded : null,
        negotiated: t.negotiated,
        handshake: t.handshake,
        handshakeShare: t.handshake / t.answered,
      });
      if (starttls) expect(rows[g]!.offeredShare).toBeCloseTo(t.offered / t.answered, 12);
    }
  });

  it('recovers end-host and intermediate certificates, total and unique (Table III)', () => {
    const rows = byGroup(table(report, 'certificates'));
    for (const [g, t] of Object.entries<any>(s.truth.starttls)) {
      const row = g === 'all' ? rows['all:null'] : rows[g];
      expect(row, g).toMatchObject({ leafTotal: t.leafTotal, leafUnique: t.leafUnique, interTotal: t.interTotal, interUnique: t.interUnique });
    }
  });
});
