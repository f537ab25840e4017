import { beforeAll, describe, expect, it } from 'vitest';
import { judgeStapledOcsp } from '../src/ocsp-response.js';
import { makeOcspFixtures, type OcspFixtures } from './ocsp-pki.js';

describe('judgeStapledOcsp (responses made by openssl ocsp)', () => {
  let f: OcspFixtures;
  const now = new Date();
  beforeAll(() => {
    f = makeOcspFixtures();
  });

  it('reads the certStatus of the response for the stapled leaf', () => {
    expect(judgeStapledOcsp(f.good, f.leaf, now)).toEqual({ kind: 'good', stale: false });
    expect(judgeStapledOcsp(f.revoked, f.leaf, now)).toEqual({ kind: 'revoked', stale: false });
    expect(judgeStapledOcsp(f.unknown, f.leaf, now)).toEqual({ kind: 'unknown', stale: false });
  });

  it('a response whose nextUpdate passed before the scan is stale', () => {
    expect(judgeStapledOcsp(f.shortLived, f.leaf, now)).toEqual({ kind: 'good', stale: false });
    expect(judgeStapledOcsp(f.shortLived, f.leaf, new Date(now.getTime() + 3_600_000))).toEqual({ kind: 'good', stale: true });
  });

  it('a response about another certificate is not for the leaf', () => {
    expect(judgeStapledOcsp(f.forOther, f.leaf, now)).toEqual({ kind: 'not-for-leaf' });
    expect(judgeStapledOcsp(f.forOther, f.other, now)).toEqual({ kind: 'good', stale: false });
    expect(judgeStapledOcsp(f.good, undefined, now)).toEqual({ kind: 'not-for-leaf' });
  });

  it('an unsuccessful response names its status; garbage is unparsable, never a throw', () => {
    expect(judgeStapledOcsp(f.tryLater, f.leaf, now)).toEqual({ kind: 'not-successful', status: 'tryLater' });
    for (const bad of ['', '%%%', Buffer.from('not DER at all').toString('base64'), f.good.slice(0, 40)]) {
      expect(judgeStapledOcsp(bad, f.leaf, now)).toEqual({ kind: 'unparsable' });
    }
    expect(judgeStapledOcsp(f.good, 'bm90IGEgY2VydA==', now)).toEqual({ kind: 'unparsable' });
  });
});

describe('CryptoAnalyzer: ocsp-responses', () => {
  it('shares of the stapling servers per verdict, one server counted once', async () => {
    const { CryptoAnalyzer } = await import('../src/crypto-analyzer.js');
    const f = makeOcspFixtures();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const rec = (ip: string, ocspResponse: string | undefined, startedAt = new Date().toISOString()) => ({
      ip, port: 443, service: 'https', protocol: 'https', mode: 'implicit' as const, status: 'success' as const, startedAt, durationMs: 1,
      tls: { chain: [f.leaf], completed: true, version: 'TLSv1.3' as const, ocspStapled: ocspResponse !== undefined, ...(ocspResponse ? { ocspResponse } : {}) },
    });
    const a = new CryptoAnalyzer({ version: 't' });
    for (const r of [
      rec('192.0.2.1', f.good),
      rec('192.0.2.1', f.revoked), // same server again: its first record counts
      rec('192.0.2.2', f.revoked),
      rec('192.0.2.3', f.shortLived, later),
      rec('192.0.2.4', f.forOther),
      rec('192.0.2.5', f.tryLater),
      rec('192.0.2.6', 'garbage'),
      rec('192.0.2.7', undefined), // did not staple
    ]) a.consume(r);
    const report = a.finish();
    const row = report.tables.find((t) => t.id === 'ocsp-responses')!.rows[0]!;
    expect(row).toEqual({
      service: 'https', port: 443, stapled: 6,
      good: 2 / 6, revoked: 1 / 6, unknown: 0, stale: 1 / 6, 'not-for-leaf': 1 / 6, 'not-successful': 1 / 6, unparsable: 1 / 6,
    });
    expect(report.tables.find((t) => t.id === 'ocsp-stapling')!.rows[0]).toMatchObject({ servers: 7, stapled: 6 });
  });
});

describe('judgeStapledOcsp against a full ASN.1 parse (@peculiar/asn1-ocsp)', () => {
  it('agrees on every fixture and, where both parse, on mutated responses; never throws', async () => {
    const { referenceJudge } = await import('./ocsp-reference.js');
    const f = makeOcspFixtures();
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const responses = [f.good, f.revoked, f.unknown, f.forOther, f.shortLived, f.tryLater];
    for (const resp of responses) {
      for (const leaf of [f.leaf, f.other]) {
        for (const at of [now, later]) expect(judgeStapledOcsp(resp, leaf, at)).toEqual(referenceJudge(resp, leaf, at));
      }
    }
    // Seeded byte flips and truncations: the walk must classify every one; where the full parse also
    // reads a verdict other than unparsable, the two agree.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    let compared = 0;
    for (let i = 0; i < Number(process.env.OCSP_MUTATIONS ?? 600); i++) {
      const b = Buffer.from(responses[i % 5]!, 'base64');
      const m = i % 3 === 0 ? b.subarray(0, rnd(b.length)) : (b[rnd(b.length)] = rnd(256), b);
      const mine = judgeStapledOcsp(m.toString('base64'), f.leaf, now);
      expect(['good', 'revoked', 'unknown', 'not-for-leaf', 'not-successful', 'unparsable']).toContain(mine.kind);
      const ref = referenceJudge(m.toString('base64'), f.leaf, now);
      if (mine.kind !== 'unparsable' && ref.kind !== 'unparsable') {
        compared++;
        expect(mine, `mutation ${i}: ${JSON.stringify(mine)} vs ${JSON.stringify(ref)}`).toEqual(ref);
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
