/*
 * reuse's store path (analyzeStore, counted in SQL) gives the report its
 * stream path gives, on the fixture library, on a synthetic population and on
 * declared edge records: several chains per leaf (a later one valid, one after
 * that never classified), a validator that fails on one chain, unparsable
 * certificates, session-ticket keys (malformed ones included), passive and
 * internal-error records, records with no TLS, an empty chain, IPv6, and
 * records with the wrong types.
 */
import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reusePlugin, { ReuseAnalyzer, type ChainClassifier } from '@wildtls/analysis-reuse';
import { silentLogger } from '@wildtls/core';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { readPopulation } from '../synthetic/population.mjs';
import { writePopulation } from '../synthetic/generate.mjs';
import { bothPaths, scanOnly, scratch, storeOf, writeJsonl } from './store-equality.js';

const FIXTURE = new URL('../synthetic/fixture/records.jsonl', import.meta.url).pathname;
const MID_SIZE = new URL('./mid-size-population.yaml', import.meta.url);
const tmp = scratch('store-reuse');
afterAll(() => tmp.remove());

/** The plugin as a run makes it, ca-practice's validator on this thread (worker: false keeps the classification order fixed). */
const plugin = (options: Record<string, unknown>, params: { rootsFile?: string; at?: Date } = {}) => () =>
  reusePlugin.create({ options: { worker: false, ...options }, params, container: root.createChildContainer(), logger: silentLogger() });

describe('reuse on a store: the fixture library', () => {
  let store: string;
  beforeAll(async () => void (store = await storeOf(FIXTURE, tmp.dir)));
  it('gives the stream path\'s report', async () => {
    const { stream, store: viaStore } = await bothPaths(plugin({}), FIXTURE, store);
    expect(viaStore).toEqual(stream);
  });
});

describe('reuse on a store: the mid-size population', () => {
  const file = `${tmp.dir}/mid.jsonl.gz`;
  let store: string;
  let at: Date;
  beforeAll(async () => {
    at = (await writePopulation(readPopulation(MID_SIZE), file)).built.at;
    store = await storeOf(file, tmp.dir);
  }, 120_000);
  for (const options of [{}, { distribution: 'log2', topReused: 3, topInvalid: 4 }, { topReused: 0, topInvalid: 0 }]) {
    it(`gives the stream path's report (${JSON.stringify(options)})`, async () => {
      const { stream, store: viaStore } = await bothPaths(plugin(options, { rootsFile: `${file}.roots.pem`, at }), file, store);
      expect(viaStore).toEqual(stream);
      expect(stream.totals.certificates).toBe(787); // mid-size-population.yaml
    });
  }
});

describe('reuse on a store: declared edge records', () => {
  const K1 = '0e29365a44cf54677845db91688ab5b1';
  const K2 = 'dc86d6a55fc00b7591358d3c3ba71bc3';
  let file: string;
  let store: string;
  let scanStore: string;
  let dDer: Buffer;
  beforeAll(async () => {
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((cn) => selfSignedCertificate({ keyType: 'ec', commonName: cn })));
    dDer = d!.der;
    const [A, B, C, D] = [a!, b!, c!, d!].map((x) => x.der.toString('base64'));
    let t = Date.parse('2026-12-01T00:00:00Z');
    const rec = (ip: string, port: number, service: string, tls: unknown, extra: Record<string, unknown> = {}) => ({
      ip, port, service, protocol: service, mode: 'implicit', status: 'success', startedAt: new Date((t += 1000)).toISOString(), durationMs: 1, ...(tls === undefined ? {} : { tls }), ...extra,
    });
    const chain = (...ders: string[]) => ({ chain: ders, ocspStapled: false, completed: true });
    const tickets = (...names: unknown[]) => ({ chain: [], ocspStapled: false, completed: true, sessionTickets: names.map((keyName) => ({ lifetime: 300, length: 160, keyName })) });
    const records = [
      rec('192.0.2.1', 993, 'imaps', chain(A)), // A alone: "self-signed" (below)
      rec('192.0.2.2', 993, 'imaps', chain(A, B)), // A with B: "valid"
      rec('192.0.2.3', 995, 'pop3s', chain(A, C)), // after A is valid: never classified
      rec('192.0.2.1', 995, 'pop3s', chain(A)), // same IP on another service
      rec('2001:db8::1', 993, 'imaps', chain(A)),
      rec('2001:db8::1', 8993, 'imaps', chain(B)), // same IP, other port
      rec('192.0.2.4', 25, 'smtp', chain(B, D)), // the validator throws on a chain with D
      rec('192.0.2.5', 25, 'smtp', chain(C)),
      rec('192.0.2.6', 25, 'smtp', chain(C), { status: 'tls-failed' }), // counts: a chain was sent
      rec('192.0.2.7', 25, 'smtp', chain('%%% not base64 %%%')), // unparsable
      rec('192.0.2.8', 25, 'smtp', chain('')), // empty DER
      rec('192.0.2.9', 25, 'smtp', chain()), // empty chain
      rec('192.0.2.10', 25, 'smtp', undefined, { status: 'connection-refused' }), // no TLS
      rec('192.0.2.11', 443, 'https', tickets(K1, K1, 'nothex', 5, null)),
      rec('192.0.2.12', 443, 'https', tickets(K1, K2.toUpperCase())),
      rec('192.0.2.13', 25, 'smtp', tickets(K2)),
      rec('192.0.2.14', 993, 'imaps', chain(D), { status: 'internal-error' }), // our bug: left out
      rec('192.0.2.15', 993, 'imaps', chain(D), { source: 'passive' }), // a capture: left out
      rec('192.0.2.16', 993, 'imaps', chain(D), { source: 'passive' }),
      rec('192.0.2.17', 25, 'imap', 'garbage'),
      rec('192.0.2.18', 25, 'imap', { chain: 'MIIB', completed: true, sessionTickets: { keyName: K1 } }),
      rec('192.0.2.19', 5223, 'xmpp', chain(C), { source: 'passive', passive: { clientHello: { alpn: ['apns-security-v3'] } } }), // left out of Table V by the ALPN rule
    ];
    file = writeJsonl(`${tmp.dir}/edge.jsonl`, records);
    store = await storeOf(file, tmp.dir);
    scanStore = await storeOf(writeJsonl(`${tmp.dir}/edge-scan.jsonl`, scanOnly(records)), tmp.dir);
  });

  /** Declared classes: a chain of one is self-signed, of two valid; one with D makes the validator throw. */
  const declared = (): ChainClassifier => ({
    classify: (ders) => {
      if (ders.some((x) => Buffer.compare(Buffer.from(x), dDer) === 0)) throw new Error('validator failed');
      return ders.length > 1 ? 'valid' : 'self-signed';
    },
  });

  const make = () => new ReuseAnalyzer({ version: 't', classifier: declared(), classifierName: 'declared', topInvalid: 5, topReused: 2 });

  it('scan records only (counted in SQL): the stream path\'s report', async () => {
    const { stream, store: viaStore } = await bothPaths(make, `${tmp.dir}/edge-scan.jsonl`, scanStore);
    expect(viaStore).toEqual(stream);
    expect(stream.totals).toMatchObject({ records: 19, internalErrors: 1, servers: 18, certificates: 5 });
    expect(stream.totals.passive).toBeUndefined();
  });

  it('with passive records (streamed): the stream path\'s report, Table V and the exclusion rules included, and counts what the records declare', async () => {
    const { stream, store: viaStore } = await bothPaths(make, file, store);
    expect(viaStore).toEqual(stream);
    expect(stream.tables.map((x) => x.id)).toEqual(expect.arrayContaining(['passive-reuse', 'passive-reuse-servers', 'passive-reuse-connections', 'passive-exclusions']));
    expect(stream.tables.find((x) => x.id === 'passive-exclusions')!.rows).toContainEqual(expect.objectContaining({ rule: 'alpn-http-push', excluded: 1 }));
    // Leaves A, B, C and two unparsable; chains [A] [A,B] [B] [B,D] [C] and the two unparsable ones ([A,C] comes after A is valid).
    expect(stream.totals).toEqual({ records: 22, internalErrors: 1, passive: 3, servers: 18, withCertificate: 11, certificates: 5, keys: 3, ticketKeys: 2, chainsClassified: 7 });
    expect(stream.notes!.join(' ')).toMatch(/1 chains could not be classified.*2 certificates could not be parsed/);
    const summary = stream.tables.find((x) => x.id === 'summary')!.rows.find((r) => r.service === 'all');
    expect(summary).toMatchObject({ certificates: 5, valid: 1, selfSigned: 4, invalid: 0 }); // A valid; B, C and the two unparsable ones alone (the validator never parses)
  });
});
