/*
 * sasl's store path (analyzeStore, counted in SQL) gives the report its
 * stream path gives, on the fixture library, on the mid-size population and
 * on declared edge records: a server seen twice, case and blanks in mechanism
 * names, IMAP LOGINDISABLED, lists cut at their cap, passive connections
 * (upgraded or not, with and without a client mechanism), internal-error
 * records, and fields of the wrong type.
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import saslPlugin from '@wildtls/analysis-sasl';
import { silentLogger } from '@wildtls/core';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';
import { bothPaths, edgeStores, scratch, storeOf, type EdgeStores } from './store-equality.js';

const FIXTURE = new URL('../synthetic/fixture/records.jsonl', import.meta.url).pathname;
const MID_SIZE = new URL('./mid-size-population.yaml', import.meta.url);
const tmp = scratch('store-sasl');
afterAll(() => tmp.remove());

const plugin = (options: Record<string, unknown> = {}) => () => saslPlugin.create({ options, params: {}, container: root.createChildContainer(), logger: silentLogger() });

describe('sasl on a store', () => {
  it('the fixture library: the stream path\'s report', async () => {
    const store = await storeOf(FIXTURE, tmp.dir);
    const { stream, store: viaStore } = await bothPaths(plugin(), FIXTURE, store);
    expect(viaStore).toEqual(stream);
  });

  it('the mid-size population: the stream path\'s report, with the default and with other options', async () => {
    const file = `${tmp.dir}/mid.jsonl.gz`;
    await writePopulation(readPopulation(MID_SIZE), file);
    const store = await storeOf(file, tmp.dir);
    for (const options of [{}, { plaintextMechanisms: ['PLAIN'], topCombinations: 2 }]) {
      const { stream, store: viaStore } = await bothPaths(plugin(options), file, store);
      expect(viaStore).toEqual(stream);
    }
  }, 120_000);

  describe('declared edge records', () => {
    let t = Date.parse('2026-12-01T00:00:00Z');
    const rec = (ip: string, extra: Record<string, unknown>, service = 'imap', port = 143) => ({
      ip, port, service, protocol: service.replace(/s$/, ''), mode: 'starttls', status: 'success', startedAt: new Date((t += 1000)).toISOString(), durationMs: 1, ...extra,
    });
    const passive = (ip: string, extra: Record<string, unknown>, service = 'smtp', port = 25) => ({ ...rec(ip, extra, service, port), source: 'passive' });
    const records = [
      rec('192.0.2.1', { capabilities: { beforeTls: ['IMAP4rev1', 'logindisabled'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: [], afterTls: [' plain', 'login', ''] } }),
      rec('192.0.2.1', { capabilities: { afterTls: [] }, sasl: { afterTls: ['CRAM-MD5'] } }), // the same server again: not counted
      rec('192.0.2.2', { capabilities: { beforeTls: ['IMAP4rev1'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'], afterTls: ['SCRAM-SHA-1', 'PLAIN'] } }),
      rec('192.0.2.3', { capabilities: { beforeTls: ['IMAP4rev1'], afterTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'], afterTls: [], truncated: { beforeTls: 300 } } }),
      rec('192.0.2.4', { status: 'no-starttls', capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['LOGIN'] } }),
      rec('192.0.2.5', { status: 'connect-failed' }),
      rec('192.0.2.6', { mode: 'implicit', capabilities: { afterTls: ['AUTH PLAIN'] }, sasl: { afterTls: ['PLAIN'], truncated: { afterTls: 12 } } }, 'smtps', 465),
      rec('192.0.2.6', { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: ['PLAIN'] } }, 'smtp', 465), // same ip:port, other service: its own server there
      rec('192.0.2.7', { status: 'internal-error', capabilities: { afterTls: ['X'] }, sasl: { afterTls: ['PLAIN'] } }),
      rec('192.0.2.8', { capabilities: 0, sasl: '' }), // falsy: a server with no lists
      rec('192.0.2.9', { capabilities: 'none', sasl: { beforeTls: 'PLAIN', afterTls: [1, null, 'plain'], truncated: { afterTls: '5' } } }),
      rec('192.0.2.10', { capabilities: { beforeTls: { a: 1 } }, sasl: null }),
      // Ports out of range (hostile records): two servers, not one packed key.
      rec('192.0.2.11', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['PLAIN'] } }, 'imap', 65536),
      rec('192.0.2.12', { capabilities: { beforeTls: ['IMAP4rev1'] }, sasl: { beforeTls: ['LOGIN'] } }, 'imap', 0),
      passive('192.0.2.20', { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: ['PLAIN', 'LOGIN'] }, starttls: { offered: true, upgraded: false }, passive: { clientMechanism: 'plain' } }),
      passive('192.0.2.20', { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: ['PLAIN', 'LOGIN'] }, starttls: { offered: true, upgraded: true } }),
      passive('192.0.2.20', { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: ['PLAIN', 'LOGIN'] }, passive: { clientMechanism: 'CRAM-MD5' } }),
      passive('192.0.2.21', { capabilities: { beforeTls: ['PIPELINING'] }, sasl: { beforeTls: [] }, starttls: 'yes', passive: { clientMechanism: 5 } }),
      passive('192.0.2.22', { sasl: { afterTls: ['PLAIN'] } }), // no before phase
      passive('192.0.2.23', { mode: 'implicit' }, 'imaps', 993),
      passive('192.0.2.24', { capabilities: { beforeTls: ['IMAP4rev1', 'LOGINDISABLED'] }, passive: { clientMechanism: 'USER' } }, 'pop3', 110),
      passive('192.0.2.25', { sasl: { beforeTls: ['PLAIN'] }, starttls: { offered: true, upgraded: false }, passive: { clientMechanism: 'PLAIN', clientHello: { alpn: ['h2'] } } }), // left out by the ALPN rule
    ];
    let edge: EdgeStores;
    beforeAll(async () => {
      edge = await edgeStores(records, tmp.dir);
    });
    it('scan records only (counted in SQL): the stream path\'s report', async () => {
      const { stream, store: viaStore } = await bothPaths(plugin(), edge.scanFile, edge.scanStore);
      expect(viaStore).toEqual(stream);
      // Servers (ip:port, internal errors left out): .1 .2 .3 .4 .5, .6:465 (two services), .8 .9 .10, and .11:65536 and .12:0 apart.
      expect(stream.totals).toMatchObject({ records: 14, servers: 11, internalErrors: 1, passiveRecords: 0, afterTlsServers: 5 });
    });
    it('with passive records (streamed): the stream path\'s report, the exclusion rules included, and what the records declare', async () => {
      for (const options of [{}, { passiveExclusions: [] }]) {
        const { stream: s, store: v } = await bothPaths(plugin(options), edge.file, edge.store);
        expect(v).toEqual(s);
        expect(s.tables.find((x) => x.id === 'passive-exclusions')).toBeDefined();
      }
      const { stream, store: viaStore } = await bothPaths(plugin(), edge.file, edge.store);
      expect(viaStore).toEqual(stream);
      expect(stream.tables.find((x) => x.id === 'passive-exclusions')!.rows).toContainEqual(expect.objectContaining({ rule: 'alpn-http-push', excluded: 1 }));
      // Active servers with an after-TLS phase: .1, .2, .3 (imap 143), .6 smtps, .9 (a list of the wrong type still opens the phase).
      expect(stream.totals).toMatchObject({ records: 22, servers: 16, internalErrors: 1, passiveRecords: 8, afterTlsServers: 5, saslTruncatedBeforeTls: 1, saslTruncatedAfterTls: 1 });
      expect(stream.tables.find((x) => x.id === 'sasl-client-mechanisms')!.rows).toEqual([
        { service: 'imaps', port: 993, notUpgraded: 0, authenticated: 0, plaintext: 0, plaintextShare: null },
        { service: 'pop3', port: 110, notUpgraded: 1, authenticated: 1, plaintext: 1, plaintextShare: 1 },
        { service: 'smtp', port: 25, notUpgraded: 4, authenticated: 2, plaintext: 1, plaintextShare: 0.5 }, // .20 twice, .21, .22; a mechanism of the wrong type is none
      ].filter((r) => r.notUpgraded > 0));
    });
  });
});
