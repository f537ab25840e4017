/*
 * crypto's store path (analyzeStore, counted in SQL) gives the report its
 * stream path gives, on the fixture library, on the mid-size population and
 * on declared edge records: a server seen twice (its first record without TLS
 * reached), stapled OCSP responses that say good, revoked, unknown, for
 * another certificate, tryLater, unparsable, past nextUpdate, with a leaf
 * kept as fingerprints or as a hostile chain came; TLS 1.3 with ffdhe and
 * elliptic-curve groups, DHE prime sizes, SSL 3.0, export and RC4 suites,
 * internal-error records, a tls that is not an object and fields of the wrong
 * type; and a store with passive records (streamed).
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cryptoPlugin from '@wildtls/analysis-crypto';
import { silentLogger, type Report } from '@wildtls/core';
import { makeOcspFixtures } from '../../plugins/analysis-crypto/test/ocsp-pki.js';
import { HOSTILE_RECORDS } from '../../plugins/analysis-crypto/test/hostile-records.js';
import { bothPaths, edgeStores, fixtureBothPaths, midSizeBothPaths, scratch, type EdgeStores } from './store-equality.js';

const tmp = scratch('store-crypto');
afterAll(() => tmp.remove());

const plugin = (options: Record<string, unknown> = {}) => () => cryptoPlugin.create({ options, params: {}, container: root.createChildContainer(), logger: silentLogger() });
const rowsOf = (r: Report, id: string) => r.tables.find((x) => x.id === id)!.rows;

describe('crypto on a store', () => {
  it('the fixture library: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await fixtureBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
    expect(stream.totals.handshakes).toBeGreaterThan(0);
  });

  it('the mid-size population: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await midSizeBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
  }, 120_000);

  describe('declared edge records', () => {
    const o = makeOcspFixtures();
    let t = Date.parse('2026-12-01T00:00:00Z');
    const rec = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25) => ({
      ip, port, service, protocol: service, mode: 'starttls', status: 'success', startedAt: new Date((t += 1000)).toISOString(), durationMs: 1, ...extra,
    });
    const passive = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25) => ({ ...rec(ip, extra, service, port), source: 'passive' });
    const ecdhe = { version: 'TLSv1.2', cipherSuite: { id: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' }, keyExchange: { kind: 'ECDHE', group: 'secp256r1' }, completed: true };
    const stapled = (response: unknown, chain: unknown = [o.leaf, o.other]) => ({ ...ecdhe, chain, ocspStapled: true, ocspResponse: response });
    const aDayOn = new Date(Date.now() + 86_400_000).toISOString();
    const records = [
      // OCSP: every verdict, the leaf restored from fingerprints or read from a chain the JSON kept as it came.
      rec('192.0.2.1', { tls: stapled(o.good) }),
      rec('192.0.2.2', { tls: stapled(o.revoked) }),
      rec('192.0.2.3', { tls: stapled(o.unknown) }),
      rec('192.0.2.4', { tls: stapled(o.forOther) }),
      rec('192.0.2.5', { tls: stapled(o.tryLater) }),
      rec('192.0.2.6', { tls: stapled('AAAA') }),
      rec('192.0.2.7', { tls: stapled(5) }), // not a string: unparsable
      rec('192.0.2.8', { startedAt: aDayOn, tls: stapled(o.shortLived) }), // past nextUpdate at the scan time
      rec('192.0.2.9', { startedAt: 'not a date', tls: stapled(o.good) }), // judged at the time of the analysis
      rec('192.0.2.10', { startedAt: null, tls: stapled(o.shortLived) }),
      rec('192.0.2.11', { tls: stapled(o.revoked, [o.leaf, 5]) }), // hostile chain: kept in the JSON
      rec('192.0.2.12', { tls: stapled(o.good, [`${o.leaf.slice(0, 10)}\n${o.leaf.slice(10)}`]) }), // not canonical base64: kept
      rec('192.0.2.13', { tls: stapled(o.good, [5, o.leaf]) }), // leaf not a string: not for the leaf
      rec('192.0.2.14', { tls: { ...stapled(o.good), completed: false, notCompletedReason: 'observe-only' } }), // first flight seen
      rec('192.0.2.15', { tls: { ...stapled(o.good), completed: false } }), // first flight not seen: not stapling
      rec('192.0.2.16', { tls: { ...stapled(o.good), completed: false, notCompletedReason: 5 } }),
      rec('192.0.2.17', { tls: { ...stapled(o.good), ocspStapled: 'yes' } }),
      rec('192.0.2.1', { tls: stapled(o.revoked) }), // the same server again: a connection, not a server
      // A server whose first record did not reach TLS: its second counts.
      rec('192.0.2.18', { status: 'tls-failed', error: { reason: 'tls-alert' }, tls: { alert: { level: 2 }, completed: false } }),
      rec('192.0.2.18', { tls: { ...ecdhe, keyExchange: { kind: 'ECDHE', group: 'x25519' } } }),
      // Key exchanges and sizes.
      rec('192.0.2.20', { tls: { version: 'TLSv1.3', cipherSuite: { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256' }, keyExchange: { kind: 'TLS13', group: 'ffdhe3072' }, completed: true } }, 'imaps', 993),
      rec('192.0.2.21', { tls: { version: 'TLSv1.3', cipherSuite: { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384' }, keyExchange: { kind: 'TLS13', group: 'x25519' }, completed: true } }, 'imaps', 993),
      rec('192.0.2.22', { tls: { version: 'TLSv1.3', cipherSuite: { id: 0x1303 }, keyExchange: { group: ['ffdhe2048'] }, completed: true } }, 'imaps', 993),
      rec('192.0.2.23', { tls: { version: 'TLSv1.2', cipherSuite: { id: 0x009e, name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256' }, keyExchange: { kind: 'DHE', bits: 1024 }, completed: true } }, 'imaps', 993),
      rec('192.0.2.24', { tls: { version: 'TLSv1.2', cipherSuite: { id: 0x009e }, keyExchange: { kind: 'DHE', bits: 2048 }, completed: true } }, 'imaps', 993),
      rec('192.0.2.25', { tls: { version: 'TLSv1.2', cipherSuite: { id: 0x009e }, keyExchange: { kind: 'DHE', bits: '2048' }, completed: true } }, 'imaps', 993),
      rec('192.0.2.26', { tls: { version: 'TLSv1.2', cipherSuite: { name: 'DHE-RSA-AES256-SHA' }, keyExchange: { kind: 'DHE', bits: 768.5, group: 'ffdhe02048' }, completed: true } }, 'imaps', 993),
      rec('192.0.2.27', { tls: { version: 'TLSv1.2', cipherSuite: { id: 0x0033 }, completed: false, notCompletedReason: 'stopped' } }, 'imaps', 993), // DHE, bits unknown
      rec('192.0.2.28', { status: 'tls-failed', error: { reason: 'tls-unsupported' }, tls: { version: 'SSLv3', cipherSuite: { id: 0x0005, name: 'TLS_RSA_WITH_RC4_128_SHA' }, completed: false, notCompletedReason: 'SSL 3.0', chain: [o.other] } }, 'pop3s', 995),
      rec('192.0.2.29', { status: 'tls-failed', error: { reason: 'tls-unsupported' }, tls: { version: 'TLSv1.0', cipherSuite: { name: 'EXP-RC4-MD5' }, keyExchange: { kind: 'RSA' }, completed: false, notCompletedReason: 'export' } }, 'pop3s', 995),
      rec('192.0.2.30', { tls: { version: 'TLSv1.2', cipherSuite: { id: 0x000a, name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' }, completed: true } }, 'pop3s', 995),
      rec('192.0.2.31', { tls: { version: 'TLSv1.2', cipherSuite: { name: 'ADH-AES128-SHA' }, keyExchange: { kind: 'DHE', bits: 1024 }, completed: true } }, 'pop3s', 995),
      rec('192.0.2.32', { tls: { version: 'SSLv2', cipherSuite: { name: 'DES-CBC-MD5' }, completed: true } }, 'pop3s', 995),
      // Curves with equal counts (sorted by name), a group that is not a string.
      rec('192.0.2.33', { tls: { ...ecdhe, keyExchange: { kind: 'ECDHE', group: 'secp384r1' } } }, 'xmpp', 5222),
      rec('192.0.2.34', { tls: { ...ecdhe, keyExchange: { kind: 'ECDHE', group: 'brainpoolP256r1' } } }, 'xmpp', 5222),
      rec('192.0.2.35', { tls: { ...ecdhe, keyExchange: { kind: 'ECDHE', group: { name: 'x' } } } }, 'xmpp', 5222),
      rec('192.0.2.36', { tls: { ...ecdhe, keyExchange: 'ECDHE' } }, 'xmpp', 5222),
      // Presence without values, and values of the wrong type.
      rec('192.0.2.40', { tls: { version: null, cipherSuite: null } }),
      rec('192.0.2.41', { tls: { version: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' } }),
      rec('192.0.2.42', { tls: { version: 'TLSv1.2', cipherSuite: { id: '49199', name: ['x'] }, completed: 'true' } }),
      rec('192.0.2.43', { tls: { version: 7, cipherSuite: { id: 1e21 }, keyExchange: [] } }),
      rec('192.0.2.44', { tls: { version: 'TLSv1.2' } }), // no suite: not reached
      rec('192.0.2.45', { tls: { completed: 'yes', version: 'TLSv1.2' } }),
      rec('192.0.2.46', { tls: 'garbage' }),
      rec('192.0.2.47', { tls: [1, 2] }),
      rec('192.0.2.48', { tls: null }),
      rec('192.0.2.49', { status: 'connect-failed' }),
      rec('192.0.2.50', { status: 5, tls: { ...ecdhe, version: 'TLSv1.1' } }),
      rec('192.0.2.51', { status: 'internal-error', tls: stapled(o.good) }),
      rec('2001:db8::1', { tls: ecdhe }),
      // Ports out of range: 192.0.2.52:65536 and 192.0.2.53:0 would be one packed key; core's serverKey keeps them two servers.
      rec('192.0.2.52', { tls: ecdhe }, 'smtp', 65536),
      rec('192.0.2.53', { tls: ecdhe }, 'smtp', 0),
      rec('192.0.2.54', { tls: ecdhe }, 'smtp', -1),
      rec('01.2.3.4', { tls: ecdhe }),
      ...HOSTILE_RECORDS,
      passive('192.0.2.60', { tls: ecdhe }),
      passive('192.0.2.60', { tls: { ...ecdhe, version: 'TLSv1.3' }, passive: { clientHello: { alpn: ['h2'] } } }, 'https', 443),
      passive('192.0.2.61', { tls: stapled(o.good), passive: { clientHello: { alpn: ['h2', 'smtp'] } } }), // left out by the ALPN rule
    ];
    let edge: EdgeStores;
    beforeAll(async () => {
      edge = await edgeStores(records, tmp.dir);
    });

    it('scan records only (counted in SQL): the stream path\'s report, and what the records declare', async () => {
      const { stream, store: viaStore } = await bothPaths(plugin(), edge.scanFile, edge.scanStore);
      expect(viaStore).toEqual(stream);
      expect(stream.tables.map((x) => x.id)).not.toContain('passive-versions');
      const smtp = (id: string) => rowsOf(stream, id).find((r) => r.service === 'smtp' && r.port === 25);
      // Stapling servers .1-.14 (.15 and .16 stopped before the first flight was seen, .17's flag is not true), .1 twice.
      expect(smtp('ocsp-stapling-by-port')).toMatchObject({ stapled: 14, stapledConnections: 15 });
      // good: .1, .8 (and stale), .9, .10 (startedAt null: 1970), .12 (lenient base64), .14; not for the leaf: .4, .13.
      expect(smtp('ocsp-responses')).toMatchObject({ stapled: 14, good: 6 / 14, revoked: 2 / 14, unknown: 1 / 14, stale: 1 / 14, 'not-for-leaf': 2 / 14, 'not-successful': 1 / 14, unparsable: 2 / 14 });
      expect(rowsOf(stream, 'dh-sizes-by-port').filter((r) => r.service === 'imaps').map((r) => [r.bits, r.servers])).toEqual([
        ['1024', 1], ['2048', 2], ['02048', 1], ['3072', 1], ['unknown', 2], // .22's group list reads as ffdhe2048; .26's group gives '02048', the same size, after the first seen
      ]);
      // The group of .35 is an object and .36's key exchange a string: unknown, then the ties by name.
      expect(rowsOf(stream, 'ecdhe-curves-by-port').filter((r) => r.service === 'xmpp').map((r) => [r.curve, r.servers])).toEqual([['unknown', 2], ['brainpoolP256r1', 1], ['secp384r1', 1]]);
      expect(stream.totals).toMatchObject({ internalErrors: 1 });
    });

    it('with passive records (streamed): the stream path\'s report, with and without the exclusion rules', async () => {
      for (const options of [{}, { passiveExclusions: [] }]) {
        const { stream, store: viaStore } = await bothPaths(plugin(options), edge.file, edge.store);
        expect(viaStore).toEqual(stream);
        expect(rowsOf(stream, 'passive-exclusions').reduce((n, r) => n + Number(r.excluded), 0)).toBe(options.passiveExclusions ? 0 : 1);
      }
    });
  });
});
