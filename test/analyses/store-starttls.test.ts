/*
 * starttls's store path (analyzeStore, counted in SQL) gives the report its
 * stream path gives, on the fixture library, on the mid-size population and
 * on declared edge records: noise told by bytesReceived and by the older
 * fallback, a server seen twice, shared leaves and intermediates, passive
 * connections (ALPN exclusions, truthy values of the wrong type),
 * internal-error records and fields of the wrong type.
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import starttlsPlugin from '@wildtls/analysis-starttls';
import { silentLogger } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { bothPaths, edgeStores, fixtureBothPaths, midSizeBothPaths, scratch, type EdgeStores } from './store-equality.js';

const tmp = scratch('store-starttls');
afterAll(() => tmp.remove());

const plugin = (options: Record<string, unknown> = {}) => () => starttlsPlugin.create({ options, params: {}, container: root.createChildContainer(), logger: silentLogger() });

describe('starttls on a store', () => {
  it('the fixture library: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await fixtureBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
  });

  it('the mid-size population: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await midSizeBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
  }, 120_000);

  describe('declared edge records', () => {
    let edge: EdgeStores;
    beforeAll(async () => {
      const [a, b, i] = await Promise.all(['a', 'b', 'i'].map((cn) => selfSignedCertificate({ keyType: 'ec', commonName: cn })));
      const [A, B, I] = [a!, b!, i!].map((x) => x.der.toString('base64'));
      let t = Date.parse('2026-12-01T00:00:00Z');
      const rec = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25, mode = 'starttls') => ({
        ip, port, service, protocol: service, mode, status: 'success', startedAt: new Date((t += 1000)).toISOString(), durationMs: 1, ...extra,
      });
      const done = (chain: unknown) => ({ version: 'TLSv1.2', cipherSuite: { name: 'X' }, completed: true, chain });
      const passive = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25) => ({ ...rec(ip, extra, service, port), source: 'passive' });
      const records = [
        rec('192.0.2.1', { bytesReceived: 300, banner: '220 hi', starttls: { offered: true, upgraded: true }, tls: done([A, I]) }),
        rec('192.0.2.1', { bytesReceived: 300, starttls: { offered: true, upgraded: true }, tls: done([B]) }), // the same server again
        rec('192.0.2.2', { bytesReceived: 300, starttls: { offered: true, upgraded: true }, tls: done([A, I, I]) }),
        rec('192.0.2.3', { bytesReceived: 300, starttls: { offered: true, upgraded: false } }),
        rec('192.0.2.4', { bytesReceived: 0, status: 'protocol-error', error: { reason: 'connection-closed' } }), // noise
        rec('192.0.2.5', { status: 'timeout' }), // noise by the fallback
        rec('192.0.2.6', { status: 'tls-failed', error: { reason: 'tls-timeout' }, tls: { completed: false } }, 'smtps', 465, 'implicit'),
        rec('192.0.2.7', { status: 'tls-failed', error: { reason: 'tls-alert' }, tls: { alert: { level: 2 }, error: { kind: 'alert' } } }, 'smtps', 465, 'implicit'),
        rec('192.0.2.8', { status: 'connect-failed' }),
        rec('192.0.2.9', { status: 'internal-error', tls: done([A]) }),
        rec('192.0.2.10', { bytesReceived: '12', banner: null, starttls: { offered: 1, upgraded: 'yes' }, tls: 'garbage' }),
        rec('192.0.2.11', { tls: { version: 'TLSv1.3', cipherSuite: null, chain: [B, 'AAAA'] } }, 'imaps', 993, 'implicit'),
        rec('192.0.2.12', { tls: [1, 2] }, 'imaps', 993, 'implicit'),
        // Ports out of range (hostile records): 192.0.2.13:65536 and 192.0.2.14:0 are two servers (packed, one number).
        rec('192.0.2.13', { bytesReceived: 300, starttls: { offered: true, upgraded: true }, tls: done([A]) }, 'smtp', 65536),
        rec('192.0.2.14', { bytesReceived: 300, starttls: { offered: true, upgraded: true }, tls: done([A]) }, 'smtp', 0),
        passive('192.0.2.20', { starttls: { offered: true, upgraded: true }, tls: { completed: true } }),
        passive('192.0.2.20', { starttls: { offered: 'yes', upgraded: 0 }, tls: { completed: 1 } }),
        passive('192.0.2.21', { passive: { clientHello: { alpn: ['h2', 'smtp'] } } }), // left out by ALPN
        passive('192.0.2.22', { passive: { clientHello: { alpn: [5, 'x'] } } }),
        passive('192.0.2.23', { passive: { clientHello: { alpn: ['h2'] } } }, 'https', 443),
      ];
      edge = await edgeStores(records, tmp.dir);
    });
    it('scan records only (counted in SQL): the stream path\'s report', async () => {
      const { stream, store: viaStore } = await bothPaths(plugin(), edge.scanFile, edge.scanStore);
      expect(viaStore).toEqual(stream);
      expect(stream.totals).toEqual({ records: 15, servers: 13, hosts: 12, noiseHosts: 3, internalErrors: 1 });
      expect(stream.tables.map((x) => x.id)).not.toContain('passive-exclusions');
    });
    for (const options of [{}, { passiveExclusions: [] }]) {
      it(`with passive records (streamed): the stream path's report, the exclusion rules included, and what the records declare (${JSON.stringify(options)})`, async () => {
        const { stream, store: viaStore } = await bothPaths(plugin(options), edge.file, edge.store);
        expect(viaStore).toEqual(stream);
        const exclusions = stream.tables.find((x) => x.id === 'passive-exclusions')!.rows;
        expect(exclusions.reduce((n, r) => n + Number(r.excluded), 0)).toBe(options.passiveExclusions ? 0 : 1); // .21 (h2 on smtp); .23's h2 is on https
        const smtp = stream.tables.find((x) => x.id === 'passive-connections')!.rows.find((r) => r.service === 'smtp');
        expect(smtp?.connections).toBe(options.passiveExclusions ? 4 : 3);
        expect(stream.totals).toEqual({ records: 20, servers: 13, hosts: 12, noiseHosts: 3, internalErrors: 1 });
        const all = stream.tables.find((x) => x.id === 'tls-overview')!.rows.find((r) => r.service === 'all');
        // TLS reached by .1, .2 and .11 (a version and a suite present, null or not): leaves A, A, B; intermediates I, I, I and AAAA.
        expect(all).toMatchObject({ leafUnique: 2, interTotal: 4, interUnique: 2 });
      });
    }
  });
});
