import { describe, expect, it } from 'vitest';
import type { ProbeRecord, TlsInfo } from '@wildtls/core';
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
    const r = await a.finish();
    expect(r.totals).toEqual({ records: 13, servers: 11, handshakes: 10, completed: 2, internalErrors: 1 });
    const rows = (id: string, key: string) => Object.fromEntries(r.tables.find((t) => t.id === id)!.rows.map((x) => [x[key], x.servers]));
    expect(rows('versions', 'version')).toEqual({ 'TLSv1.3': 1, 'TLSv1.2': 5, 'TLSv1.1': 1, 'TLSv1.0': 2, SSLv3: 1 });
    expect(rows('cipher-categories', 'category')).toEqual({ ECDHE: 2, DHE: 1, 'AES (no FS)': 0, RC4: 1, '3DES': 1, other: 5 });
    expect(rows('ecdhe-groups', 'group')).toEqual({ x25519: 2 });
    expect(rows('dhe-sizes', 'bits')).toEqual({ unknown: 1 });
    // Every server but the one stopped by an alert (no first flight) and the refusal: 9 seen whole, 1 stapling.
    expect(r.tables.find((t) => t.id === 'ocsp-stapling')!.rows).toEqual([{ service: 'smtp', port: 25, servers: 9, stapled: 1, share: 1 / 9 }]);
    expect(r.tables.find((t) => t.id === 'versions')!.rows.find((x) => x.version === 'TLSv1.2')!.share).toBe(5 / 10);
  });

  it('an observe-only census alone gives non-empty tables', async () => {
    const a = new CryptoAnalyzer({ version: 't' });
    a.consume(RECORDS[1]!);
    const r = await a.finish();
    expect(r.totals).toMatchObject({ handshakes: 1, completed: 0 });
    expect(r.tables.find((t) => t.id === 'versions')!.rows).toEqual([{ service: 'smtp', port: 25, version: 'TLSv1.3', servers: 1, share: 1 }]);
    expect(r.tables.find((t) => t.id === 'cipher-categories')!.rows.find((x) => x.category === 'ECDHE')).toMatchObject({ servers: 1, share: 1 });
  });
});
