import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import saslPlugin from '@wildtls/analysis-sasl';
import { byGroup, synthetic, table, type Synthetic } from './synthetic-fixture.js';

/*
 * The sasl analysis on a large synthetic scan (gzipped JSONL through core's
 * reader). The per-table truth from a declarative description is in
 * test/analyses/paper/sasl-paper.test.ts; this one checks the same rules at
 * scale against test/synthetic's tallies.
 */
describe('sasl analysis on synthetic results', () => {
  let s: Synthetic;
  let report: Awaited<ReturnType<Synthetic['run']>>[number];
  beforeAll(async () => {
    s = await synthetic({ seed: 5 });
    [report] = await s.run(await saslPlugin.create({ options: {}, params: {}, container: {} as never, logger: {} as never }));
  });
  afterAll(() => s.cleanup());

  it('recovers each mechanism offered after TLS with its count and share (Tables VIII and IX)', () => {
    const rows = table(report, 'mechanisms').rows;
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      const mine = rows.filter((r) => `${r.service}:${r.port}` === g);
      expect(Object.fromEntries(mine.map((r) => [r.mechanism, r.servers])), g).toEqual(t.mechanisms);
      for (const r of mine) expect(r.share).toBe((r.servers as number) / t.withSasl);
    }
  });

  it('recovers ordered combinations after TLS (Tables X and XI)', () => {
    const rows = table(report, 'combinations').rows;
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      const mine = rows.filter((r) => `${r.service}:${r.port}` === g);
      expect(Object.fromEntries(mine.map((r) => [(r.mechanisms as string[]).join(' '), r.servers])), g).toEqual(t.combinations);
      expect(mine.map((r) => r.rank)).toEqual(mine.map((_, i) => i + 1));
    }
  });

  it('recovers the after-TLS populations and plaintext-only and plaintext-first shares', () => {
    const rows = byGroup(table(report, 'after-tls-text'));
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      if (!t.afterTls) continue;
      expect(rows[g], g).toMatchObject({ servers: t.afterTls, withSasl: t.withSasl, noSasl: t.afterTls - t.withSasl, plaintextOnly: t.plaintextOnly / t.withSasl, plaintextFirst: t.plaintextFirst / t.withSasl });
    }
  });

  it('recovers the before-STARTTLS mechanisms and shares of all servers that listed capabilities, and LOGINDISABLED (Tables XII and XIII)', () => {
    const text = byGroup(table(report, 'before-tls-text'));
    const mech = table(report, 'before-tls-mechanisms').rows;
    for (const [g, t] of Object.entries<any>(s.truth.sasl)) {
      if (!t.beforeTls) {
        expect(text[g], g).toBeUndefined();
        continue;
      }
      expect(text[g], g).toMatchObject({
        servers: t.beforeTls,
        withSasl: t.withSaslBefore / t.beforeTls,
        anyPlaintext: t.beforeTlsPlaintext / t.beforeTls,
        loginDisabled: t.imapCapsBefore ? t.loginDisabled / t.imapCapsBefore : null,
      });
      const mine = mech.filter((r) => `${r.service}:${r.port}` === g);
      expect(Object.fromEntries(mine.map((r) => [r.mechanism, r.servers])), g).toEqual(t.beforeMechanisms);
      for (const r of mine) expect(r.share).toBe((r.servers as number) / t.beforeTls);
    }
    expect(text['imap:143']!.loginDisabled).toBeGreaterThan(0);
    expect(text['smtp:25']!.loginDisabled).toBeNull();
  });
});
