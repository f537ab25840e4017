import { describe, expect, it } from 'vitest';
import type { ProbeRecord, TlsInfo } from '@wildtls/core';
import { CryptoAnalyzer } from '../src/crypto-analyzer.js';
import { HOSTILE_RECORDS } from './hostile-records.js';

describe('CryptoAnalyzer on malformed records', () => {
  it('files odd values under "unknown" and never throws', async () => {
    const a = new CryptoAnalyzer({ version: 't' });
    for (const x of HOSTILE_RECORDS) a.consume(x);
    const r = a.finish();
    expect(r.totals).toMatchObject({ records: 4, servers: 4, handshakes: 2 });
    expect(r.tables.find((t) => t.id === 'versions')!.rows[0]).toMatchObject({ servers: 2, other: 2, tls13: 0 });
    expect(r.tables.find((t) => t.id === 'ecdhe-curves')!.rows.map((x) => x.curve)).toEqual(['unknown']);
    expect(r.tables.find((t) => t.id === 'dh-sizes')!.rows.map((x) => x.bits)).toEqual(['2048']);
    expect(r.tables.find((t) => t.id === 'ocsp-stapling')!.rows[0]).toMatchObject({ stapled: 0 });
  });
});

describe('CryptoAnalyzer counts what the server chose, completed or not', () => {
  const at = { startedAt: '2025-06-01T00:00:00Z', durationMs: 1, service: 'smtp', port: 25, protocol: 'smtp', mode: 'starttls' as const };
  const suite = (id: number, name: string) => ({ id, name });
  const rec = (ip: string, status: ProbeRecord['status'], tls?: Partial<TlsInfo>): ProbeRecord => ({ ...at, ip, status, ...(tls ? { tls: { chain: [], ocspStapled: false, completed: false, ...tls } } : {}) });
  const unsupported = (reason: string) => ({ notCompletedReason: reason, error: { kind: 'unsupported' as const, message: `not completed: ${reason}` } });
  const RECORDS: ProbeRecord[] = [
    rec('192.0.2.1', 'success', { version: 'TLSv1.2', cipherSuite: suite(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), keyExchange: { kind: 'ECDHE', group: 'x25519' }, chain: ['AAAA'], ocspStapled: true, ocspResponse: 'AAAA', completed: true }),
    rec('192.0.2.2', 'success', { version: 'TLSv1.3', cipherSuite: suite(0x1301, 'TLS_AES_128_GCM_SHA256'), keyExchange: { kind: 'TLS13', group: 'x25519' }, chain: ['BBBB'], notCompletedReason: 'observe-only' }),
    rec('192.0.2.3', 'tls-failed', { version: 'TLSv1.2', cipherSuite: suite(0x41, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'), keyExchange: { kind: 'RSA' }, chain: ['CCCC'], ...unsupported('bulk cipher camellia-cbc is not implemented') }),
    rec('192.0.2.4', 'tls-failed', { version: 'SSLv3', cipherSuite: suite(0x05, 'TLS_RSA_WITH_RC4_128_SHA'), keyExchange: { kind: 'RSA' }, chain: ['DDDD'], ...unsupported('SSL 3.0 completion is not implemented') }),
    // A fatal alert after the ServerHello, before the ServerKeyExchange: version and suite known, the DHE size not.
    rec('192.0.2.5', 'tls-failed', { version: 'TLSv1.2', cipherSuite: suite(0x33, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'), error: { kind: 'alert', message: 'handshake_failure' } }),
    // Refused before any ServerHello: nothing negotiated.
    rec('192.0.2.6', 'tls-failed', { error: { kind: 'alert', message: 'handshake_failure' } }),
    // Our bug: left out of every count, even with a ServerHello.
    rec('192.0.2.7', 'internal-error', { version: 'TLSv1.2', cipherSuite: suite(0x9c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'), error: { kind: 'internal', message: 'internal error: TypeError' } }),
    // The same server again: its first record with a ServerHello already counted.
    rec('192.0.2.1', 'success', { version: 'TLSv1.3', cipherSuite: suite(0x1302, 'TLS_AES_256_GCM_SHA384'), keyExchange: { kind: 'TLS13', group: 'secp256r1' }, chain: ['AAAA'], completed: true }),
    rec('192.0.2.8', 'tls-failed', { version: 'TLSv1.0', cipherSuite: suite(0x96, 'TLS_RSA_WITH_SEED_CBC_SHA'), keyExchange: { kind: 'RSA' }, chain: ['EEEE'], ...unsupported('bulk cipher seed-cbc is not implemented') }),
    rec('192.0.2.9', 'tls-failed', { version: 'TLSv1.1', cipherSuite: suite(0x07, 'TLS_RSA_WITH_IDEA_CBC_SHA'), keyExchange: { kind: 'RSA' }, chain: ['FFFF'], ...unsupported('bulk cipher idea-cbc is not implemented') }),
    rec('192.0.2.10', 'tls-failed', { version: 'TLSv1.0', cipherSuite: suite(0x08, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'), keyExchange: { kind: 'RSA' }, chain: ['GGGG'], ...unsupported('bulk cipher export is not implemented') }),
    rec('192.0.2.11', 'tls-failed', { version: 'TLSv1.2', cipherSuite: suite(0x02, 'TLS_RSA_WITH_NULL_SHA'), keyExchange: { kind: 'RSA' }, chain: ['HHHH'], ...unsupported('bulk cipher null is not implemented') }),
    rec('192.0.2.12', 'success', { version: 'TLSv1.2', cipherSuite: suite(0x0a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'), keyExchange: { kind: 'RSA' }, chain: ['IIII'], completed: true }),
  ];

  it('observe-only, tls-unsupported and failures after the ServerHello all count; refusals and internal errors do not', async () => {
    const a = new CryptoAnalyzer({ version: 't' });
    for (const r of RECORDS) a.consume(r);
    const r = a.finish();
    expect(r.totals).toEqual({ records: 13, servers: 11, handshakes: 10, completed: 2, connections: 11, internalErrors: 1 });
    const table = (id: string) => r.tables.find((t) => t.id === id)!.rows;
    const smtp = (rows: ReturnType<typeof table>) => rows.filter((x) => x.service === 'smtp');
    expect(smtp(table('versions'))).toEqual([{
      service: 'smtp', port: 25, servers: 10, sslv2: 0, sslv2Share: 0, sslv3: 1, sslv3Share: 1 / 10, tls10: 2, tls10Share: 2 / 10,
      tls11: 1, tls11Share: 1 / 10, tls12: 5, tls12Share: 5 / 10, tls13: 1, tls13Share: 1 / 10, other: 0,
    }]);
    expect(smtp(table('cipher-categories')).map((x) => [x.keyExchange, x.bulk, x.forwardSecrecy, x.servers])).toEqual([
      ['ECDHE', 'AES-GCM', true, 2], ['DHE', 'AES-CBC', true, 1],
      ['RSA', 'Camellia', false, 1], ['RSA', '3DES', false, 1], ['RSA', 'RC4', false, 1], ['RSA', 'export', false, 1], ['RSA', 'NULL', false, 1], ['RSA', 'other', false, 2],
    ]);
    // The later record of 192.0.2.1 (TLS 1.3) is a connection, not a server.
    expect(table('forward-secrecy')).toEqual([{ service: 'all', port: null, connections: 11, noFsConnections: 7, noFsConnectionShare: 7 / 11, servers: 10, fsServers: 3, noFsServers: 7, noFsShare: 7 / 10 }]);
    expect(table('ecdhe-curves')).toEqual([{ service: 'all', port: null, curve: 'x25519', servers: 2, share: 1 }]);
    // A fatal alert after the ServerHello: the DHE server counts, its prime size is unknown.
    expect(table('dh-sizes')).toEqual([{ service: 'all', port: null, bits: 'unknown', servers: 1, share: 1 }]);
    // Every server but the one stopped by an alert (no first flight) and the refusal: 9 seen whole, 1 stapling.
    expect(smtp(table('ocsp-stapling-by-port'))).toEqual([{ service: 'smtp', port: 25, connections: 10, stapledConnections: 1, connectionShare: 1 / 10, servers: 9, stapled: 1, share: 1 / 9 }]);
    // SSL 3.0 and export suites: no real server on these machines offers them, so they are checked here.
    expect(Object.fromEntries(smtp(table('weak-crypto')).map((x) => [x.weakness, x.servers]))).toEqual({
      SSLv2: 0, SSLv3: 1, export: 1, NULL: 1, anonymous: 0, DES: 0, RC4: 1, '3DES': 1, 'any of these': 4,
    });
    // One service and port: the whole-scan rows repeat it.
    expect(table('versions').at(-1)).toMatchObject({ service: 'all', port: null, servers: 10, tls12: 5 });
  });

  it('an observe-only census alone gives non-empty tables', async () => {
    const a = new CryptoAnalyzer({ version: 't' });
    a.consume(RECORDS[1]!);
    const r = a.finish();
    expect(r.totals).toMatchObject({ handshakes: 1, completed: 0 });
    expect(r.tables.find((t) => t.id === 'versions')!.rows[0]).toMatchObject({ service: 'smtp', port: 25, servers: 1, tls13: 1, tls13Share: 1 });
    expect(r.tables.find((t) => t.id === 'cipher-categories')!.rows[0]).toMatchObject({ keyExchange: 'ECDHE', bulk: 'AES-GCM', servers: 1, share: 1 });
  });
});

describe('CryptoAnalyzer: passive records, weighted by connection', () => {
  const base = { startedAt: '2025-01-01T00:00:00Z', durationMs: 1, protocol: 'smtp', port: 25, service: 'smtp', mode: 'starttls' as const, status: 'success' as const };
  const tls = (version: TlsInfo['version'], id: number, name: string): TlsInfo => ({ version, cipherSuite: { id, name }, chain: [], ocspStapled: false, completed: true });
  const scan: ProbeRecord[] = [
    { ...base, ip: '192.0.2.1', tls: tls('TLSv1.2', 0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256') },
    { ...base, ip: '192.0.2.2', tls: tls('TLSv1.0', 0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA') },
  ];
  const conn = (ip: string, t?: TlsInfo): ProbeRecord => ({ ...base, ip, source: 'passive', ...(t ? { tls: t } : {}) });
  const conns = [
    conn('198.51.100.1', tls('TLSv1.3', 0x1301, 'TLS_AES_128_GCM_SHA256')), conn('198.51.100.1', tls('TLSv1.3', 0x1301, 'TLS_AES_128_GCM_SHA256')),
    conn('198.51.100.1', tls('TLSv1.2', 0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')), conn('198.51.100.2'),
  ];

  it('leaves every per-server table as scan records alone make it, and counts versions and cipher categories per connection', () => {
    const only = new CryptoAnalyzer({ version: 't' });
    for (const r of scan) only.consume(r);
    const mixed = new CryptoAnalyzer({ version: 't' });
    for (const r of [conns[0]!, ...scan, ...conns.slice(1)]) mixed.consume(r);
    const a = only.finish();
    const b = mixed.finish();
    for (const t of a.tables) expect(b.tables.find((x) => x.id === t.id)).toEqual(t);
    expect(a.tables.some((t) => t.id.startsWith('passive-'))).toBe(false);
    const versions = b.tables.find((t) => t.id === 'passive-versions')!;
    expect(versions).toMatchObject({ countingRule: 'per-connection', paper: { ref: 'Table IV' } });
    expect(versions.rows[0]).toMatchObject({ service: 'smtp', port: 25, connections: 3, tls13: 2, tls12: 1 });
    const ciphers = b.tables.find((t) => t.id === 'passive-cipher-categories')!;
    // TLS 1.3 and ECDHE-RSA AES-GCM fall in one category: the three connections.
    expect(ciphers.rows.filter((r) => r.service === 'smtp').reduce((n, r) => n + Number(r.connections), 0)).toBe(3);
    expect(ciphers.columns.some((c) => c.key === 'servers')).toBe(false);
  });

  it('applies the passive exclusion rules (default the study\'s) and lists them with their counts', () => {
    const push = { ...conn('198.51.100.3', tls('TLSv1.2', 0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')), passive: { clientHello: { alpn: ['h2'] } } } as ProbeRecord;
    const study = new CryptoAnalyzer({ version: 't' });
    for (const r of [...conns, push]) study.consume(r);
    const rep = study.finish();
    expect(rep.tables.find((t) => t.id === 'passive-versions')!.rows[0]).toMatchObject({ service: 'smtp', port: 25, connections: 3 });
    expect(rep.tables.find((t) => t.id === 'passive-exclusions')!.rows.map((r) => [r.rule, r.excluded])).toEqual([['alpn-http-push', 1], ['tor-link-certificate', 0]]);
    expect(rep.notes).toContainEqual(expect.stringMatching(/alpn-http-push left out 1; tor-link-certificate left out 0/));
    const keep = new CryptoAnalyzer({ version: 't', passiveExclusions: [] });
    for (const r of [...conns, push]) keep.consume(r);
    expect(keep.finish().tables.find((t) => t.id === 'passive-versions')!.rows[0]).toMatchObject({ connections: 4 });
  });
});
