import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import starttlsPlugin from '@wildtls/analysis-starttls';
import { byGroup, synthetic, table, type Synthetic } from './synthetic-fixture.js';

// The synthetic truth's "answered" is every record whose status is not connect-failed: the hosts with the
// port open. Its data set has no noise hosts (every open port sends a banner or TLS data).
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

  it('Table I: hosts with the port open, TLS reached, unique end-host and intermediate certificates, per port and pooled', () => {
    const rows = byGroup(table(report, 'tls-overview'));
    let hosts = 0;
    let tls = 0;
    for (const [g, t] of Object.entries<any>(s.truth.starttls)) {
      if (g === 'all') continue;
      hosts += t.answered;
      tls += t.negotiated;
      expect(rows[g], g).toMatchObject({
        hosts: t.answered, tls: t.negotiated, tlsShare: t.negotiated / t.answered,
        leafUnique: t.leafUnique, leafUniqueShare: t.leafUnique / t.negotiated,
        interTotal: t.interTotal, interUnique: t.interUnique, noise: 0,
      });
    }
    const all = s.truth.starttls.all;
    expect(rows['all:null']).toMatchObject({ hosts, tls, leafUnique: all.leafUnique, leafUniqueShare: all.leafUnique / tls, interTotal: all.interTotal, interUnique: all.interUnique, interUniqueShare: all.interUnique / all.interTotal, noise: 0 });
  });

  it('Table III: STARTTLS upgraded of the hosts with the port open, STARTTLS ports only', () => {
    const rows = byGroup(table(report, 'starttls-support'));
    const starttls = Object.entries<any>(s.truth.starttls).filter(([g]) => g !== 'all' && modeOf(report, g) === 'starttls');
    expect(Object.keys(rows).sort()).toEqual(starttls.map(([g]) => g).sort());
    for (const [g, t] of starttls) expect(rows[g], g).toEqual({ service: g.split(':')[0], port: Number(g.split(':')[1]), hosts: t.answered, upgraded: t.upgraded, upgradedShare: t.upgraded / t.answered });
  });

  it('the funnel (beyond the study): every step per port', () => {
    for (const [g, t] of Object.entries<any>(s.truth.starttls)) {
      if (g === 'all') continue;
      const steps = Object.fromEntries(table(report, 'starttls-funnel').rows.filter((r) => `${r.service}:${r.port}` === g).map((r) => [r.step, r.servers]));
      const stls = modeOf(report, g) === 'starttls' ? { 'STARTTLS offered': t.offered, 'STARTTLS accepted (upgraded)': t.upgraded } : {};
      expect(steps, g).toEqual({ probed: t.probed, 'port open': t.answered, 'noise (no byte)': 0, answered: t.answered, ...stls, 'TLS reached (ServerHello)': t.negotiated, 'handshake completed': t.handshake });
    }
  });
});

/** The mode of a service-and-port row of Table I. */
function modeOf(report: Awaited<ReturnType<Synthetic['run']>>[number], g: string): unknown {
  return byGroup(table(report, 'tls-overview'))[g]!.mode;
}
