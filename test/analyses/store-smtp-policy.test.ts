/*
 * smtp-policy's store path (analyzeStore: only the port-25 SMTP records
 * restored and consumed, the rest counted in SQL) gives the report its stream
 * path gives, offline (no resolver: totals and notes), on the fixture
 * library, on the mid-size population and on declared edge records: mail
 * domains in any case, records without a mail domain or an MX name, other
 * services and ports, internal-error records anywhere, a status of the wrong
 * type and passive records. With a resolver the same is checked end to end in
 * test/real-servers/smtp-policy.test.ts (a store of the scan beside its JSONL).
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import smtpPolicyPlugin from '@wildtls/analysis-smtp-policy';
import { silentLogger } from '@wildtls/core';
import { bothPaths, fixtureBothPaths, midSizeBothPaths, scratch, storeOf, writeJsonl } from './store-equality.js';

const tmp = scratch('store-smtp-policy');
afterAll(() => tmp.remove());

const plugin = () => () => smtpPolicyPlugin.create({ options: {}, params: {}, container: root.createChildContainer(), logger: silentLogger() });

describe('smtp-policy on a store (offline)', () => {
  it('the fixture library: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await fixtureBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
  });

  it('the mid-size population: the stream path\'s report', async () => {
    const { stream, store: viaStore } = await midSizeBothPaths(plugin(), tmp.dir);
    expect(viaStore).toEqual(stream);
  }, 120_000);

  describe('declared edge records', () => {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const rec = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25) => ({
      ip, port, service, protocol: service, mode: 'starttls', status: 'success', startedAt: new Date((t += 1000)).toISOString(), durationMs: 1, banner: '220 mx', ...extra,
    });
    const records = [
      rec('192.0.2.1', { domain: 'mx.a.test', mailDomain: 'a.test' }),
      rec('192.0.2.1', { domain: 'MX.A.test.', mailDomain: 'A.TEST' }), // the same server and domain again
      rec('192.0.2.2', { domain: 'mx.b.test', mailDomain: 'b.test', tls: { completed: true, chain: [] } }),
      rec('192.0.2.3', { domain: 'mx.c.test' }), // no mail domain
      rec('192.0.2.4', { domain: '', mailDomain: 'd.test' }), // no MX name
      rec('192.0.2.5', { mailDomain: '' }),
      rec('192.0.2.6', { domain: 'mx.e.test', mailDomain: 'e.test', status: 'internal-error' }),
      rec('192.0.2.7', { domain: 'imap.a.test', mailDomain: 'a.test' }, 'imap', 143),
      rec('192.0.2.8', { domain: 'mx.f.test', mailDomain: 'f.test' }, 'smtp', 587),
      rec('192.0.2.9', { domain: 'mx.g.test', mailDomain: 'g.test' }, 'submissions', 25),
      rec('192.0.2.10', { status: 'internal-error' }, 'imap', 143), // an internal error outside port 25 counts too
      rec('192.0.2.11', { domain: 'mx.h.test', mailDomain: 'h.test', status: 5 }),
      rec('192.0.2.12', { domain: 'mx.i.test', mailDomain: 'i.test', source: 'passive' }),
      rec('2001:db8::1', { domain: 'mx6.a.test', mailDomain: 'a.test' }),
      // Falsy values of other types: without a mail domain (counted in SQL on the store).
      rec('192.0.2.13', { domain: 'mx.j.test', mailDomain: null }),
      rec('192.0.2.14', { domain: 0, mailDomain: 'j.test' }),
      rec('192.0.2.15', { domain: false, mailDomain: 0.0 }),
    ];
    let file: string;
    let store: string;
    beforeAll(async () => {
      file = writeJsonl(`${tmp.dir}/edge.jsonl`, records);
      store = await storeOf(file, tmp.dir);
    });
    it('the stream path\'s report, and what the records declare', async () => {
      const { stream, store: viaStore } = await bothPaths(plugin(), file, store);
      expect(viaStore).toEqual(stream);
      // Mail domains a, b, h, i (.1 twice, .2, .11, .12, 2001:db8::1); without one: .3, .4, .5, .13, .14, .15.
      expect(stream.totals).toEqual({ records: 17, servers: 5, internalErrors: 2, mailDomains: 4, judged: 0 });
      expect(stream.notes!.join('\n')).toMatch(/^6 port-25 SMTP records carry no mail domain/m);
    });
  });
});
