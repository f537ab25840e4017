import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import saslPlugin from '@wildtls/analysis-sasl';
import { byGroup, synthetic, table, type Synthetic } from './synthetic-fixture.js';

describe('sasl analysis on synthetic results', () => {
  let s: Synthetic;
  let report: Awaited<ReturnType<Synthetic['run']>>[number];
  beforeAll(async () => {
    s = await synthetic({ seed: 5 });
    [report] = await s.run(await saslPlugin.create({ options: {}, params: {}, container: {} as never, logger: {} as never }));
  });
  afterAll(() => s.cleanup());

  it('recovers each mechanism with its count and share (Tables VIII and IX)', () => {
    const rows = table(report, 'mechanisms').rows;
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      const mine = rows.filter((r) => `${r.service}:${r.port}` === g);
      expect(Object.fromEntries(mine.map((r) => [r.mechanism, r.servers])), g).toEqual(t.mechanisms);
      for (const r of mine) expect(r.share).toBe((r.servers as number) / t.withSasl);
    }
  });

  it('recovers ordered combinations (Tables X and XI)', () => {
    const rows = table(report, 'combinations').rows;
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      const mine = rows.filter((r) => `${r.service}:${r.port}` === g);
      expect(Object.fromEntries(mine.map((r) => [(r.mechanisms as string[]).join(' '), r.servers])), g).toEqual(t.combinations);
      expect(mine.map((r) => r.rank)).toEqual(mine.map((_, i) => i + 1));
    }
  });

  it('recovers plaintext-only, plaintext-first, before-TLS and LOGINDISABLED shares', () => {
    const rows = byGroup(table(report, 'summary'));
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      expect(rows[g], g).toMatchObject({
        servers: t.servers,
        withSasl: t.withSasl,
        plaintextOnly: t.plaintextOnly / t.withSasl,
        plaintextFirst: t.plaintextFirst / t.withSasl,
        beforeTlsAny: t.beforeTlsAny / t.withSasl,
        beforeTlsPlaintext: t.beforeTlsPlaintext / t.withSasl,
        loginDisabled: t.imapCapsBefore ? t.loginDisabled / t.imapCapsBefore : null,
      });
    }
    expect(rows['imap:143']!.loginDisabled).toBeGreaterThan(0);
    expect(rows['smtp:25']!.loginDisabled).toBeNull();
  });
});
