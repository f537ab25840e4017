import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cryptoPlugin from '@wildtls/analysis-crypto';
import { byGroup, nested, synthetic, table, type Synthetic } from './synthetic-fixture.js';

/** What each suite of test/synthetic/profiles.mjs is made of (Fig. 3's key exchange and bulk cipher). */
const SUITE_PARTS: Record<string, [string, string]> = {
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: ['ECDHE', 'AES-GCM'],
  TLS_AES_256_GCM_SHA384: ['ECDHE', 'AES-GCM'], // TLS 1.3 on x25519
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: ['ECDHE', 'AES-GCM'],
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: ['DHE', 'AES-GCM'],
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA: ['DHE', 'AES-CBC'],
  TLS_RSA_WITH_AES_128_CBC_SHA: ['RSA', 'AES-CBC'],
  TLS_RSA_WITH_RC4_128_SHA: ['RSA', 'RC4'],
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: ['ECDHE', 'RC4'],
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: ['RSA', '3DES'],
  TLS_RSA_WITH_CAMELLIA_128_CBC_SHA: ['RSA', 'Camellia'],
  TLS_RSA_WITH_RC4_128_MD5: ['RSA', 'RC4'],
};
const VERSION_KEYS: Record<string, string> = { SSLv2: 'sslv2', SSLv3: 'sslv3', 'TLSv1.0': 'tls10', 'TLSv1.1': 'tls11', 'TLSv1.2': 'tls12', 'TLSv1.3': 'tls13' };

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
    expect(report.totals).toMatchObject({ records: s.truth.records, servers: s.truth.servers, handshakes: total, completed: total });
  });

  it('recovers negotiated versions (Table IV), per port', () => {
    const rows = byGroup(table(report, 'versions'));
    for (const [g, t] of Object.entries<any>(s.truth.crypto)) {
      const want: Record<string, number> = { servers: t.completed };
      for (const [v, key] of Object.entries(VERSION_KEYS)) {
        want[key] = t.versions[v] ?? 0;
        want[`${key}Share`] = (t.versions[v] ?? 0) / t.completed;
      }
      expect(rows[g], g).toMatchObject(want);
    }
  });

  it('recovers key exchange by bulk cipher (Fig. 3)', () => {
    for (const [g, t] of Object.entries<any>(s.truth.crypto)) {
      const want: Record<string, number> = {};
      for (const [name, n] of Object.entries<number>(t.suites)) {
        const k = SUITE_PARTS[name]!.join(' ');
        want[k] = (want[k] ?? 0) + n;
      }
      const got = Object.fromEntries(table(report, 'cipher-categories').rows.filter((r) => `${r.service}:${r.port}` === g).map((r) => [`${r.keyExchange} ${r.bulk}`, r.servers]));
      expect(got, g).toEqual(want);
    }
  });

  it('recovers ECDHE curves, DHE prime sizes and OCSP stapling per port', () => {
    const truth = Object.entries<any>(s.truth.crypto);
    expect(without(nested(table(report, 'ecdhe-curves-by-port'), 'curve', 'servers'))).toEqual(Object.fromEntries(truth.filter(([, t]) => t.ecdhe).map(([g, t]) => [g, t.groups])));
    expect(without(nested(table(report, 'dh-sizes-by-port'), 'bits', 'servers'))).toEqual(Object.fromEntries(truth.filter(([, t]) => t.dhe).map(([g, t]) => [g, t.dheBits])));
    const ocsp = byGroup(table(report, 'ocsp-stapling-by-port'));
    for (const [g, t] of truth) expect(ocsp[g], g).toMatchObject({ servers: t.completed, stapled: t.stapled, share: t.stapled / t.completed });
  });
});

/** Without the whole-scan rows. */
function without(m: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(m).filter(([g]) => g !== 'all:null'));
}
