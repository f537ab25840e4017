// A passive record's JSON line is built with the record, mostly from text its ClientHello's shape
// already had (docs/records.md, "Passive records"). Truth here is JSON.stringify of the record, over
// the records of a real capture: tcpdump on lo while Node TLS clients of several shapes (each a few
// times, so shapes are both new and remembered) talk to a Node TLS server on 127.0.88.0/24.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from '@wildtls/protocol-https';
import { certificateChain } from '@wildtls/core/testing';
import { JsonlSink, PluginRegistry, createPassiveFlowFactory, passivePortMap, readCaptureFlows, recordLine, watchedPorts, type ProbeRecord, type WildtlsPlugin } from '@wildtls/core';
import { requireBinaries } from '../harness/require-binary.js';
import { startCapture, TCPDUMP } from './capture-harness.js';
import { listenOn } from '../harness/listen.js';

const SERVER = '127.0.88.10';
const CLIENT = '127.0.88.11';
const ready = requireBinaries([{ path: TCPDUMP, pkg: 'tcpdump' }]);

/** One client connection; resolves when it is closed (a failed handshake too), bounded at 10 s. */
function client(port: number, opts: ConnectionOptions, session?: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let got: Buffer | undefined;
    // tls.connect hands localAddress to net.connect (its type does not list it).
    const options = { host: SERVER, port, localAddress: CLIENT, rejectUnauthorized: false, ...opts, ...(session ? { session } : {}) } as ConnectionOptions;
    const s: TLSSocket = connect(options, () => {
      s.write('GET / HTTP/1.0\r\n\r\n');
    });
    s.on('session', (b: Buffer) => (got = b));
    s.on('data', () => s.end());
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

/** The client shapes: versions, SNI or none (one with characters JSON escapes), ALPN lists, suites. */
const SHAPES: Array<{ name: string; opts: ConnectionOptions; resume?: boolean }> = [
  { name: 'TLS 1.3, SNI, ALPN', opts: { servername: 'a.line.test', ALPNProtocols: ['h2', 'http/1.1'] } },
  { name: 'TLS 1.2, SNI', opts: { servername: 'b.line.test', maxVersion: 'TLSv1.2' } },
  { name: 'TLS 1.3, no SNI', opts: { ALPNProtocols: ['http/1.1'] } },
  { name: 'TLS 1.2, one suite, odd SNI', opts: { servername: 'q"u\\o\u0001te\u00e9.line.test', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } },
  { name: 'TLS 1.2 resumed', opts: { servername: 'c.line.test', maxVersion: 'TLSv1.2' }, resume: true },
  { name: 'TLS 1.3 resumed', opts: { servername: 'd.line.test' }, resume: true },
  // The server has an ECDSA key: a client offering RSA suites only fails the handshake (an alert).
  { name: 'TLS 1.2, no shared suite', opts: { servername: 'e.line.test', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' } },
];

describe.runIf(ready)('passive records\' JSON lines, from a real capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-line-'));
  let server: Server;
  const records: ProbeRecord[] = [];

  beforeAll(async () => {
    if (!ready) return;
    const chain = await certificateChain({ leafName: 'line.test' });
    server = createServer({ cert: chain.leaf.certPem + chain.intermediate.certPem, key: chain.leaf.keyPem, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
      s.on('data', () => s.end('HTTP/1.0 204 No Content\r\n\r\n'));
      s.on('error', () => {});
    });
    await listenOn(server, 0, SERVER);
    const port = (server.address() as AddressInfo).port;
    const pcap = join(dir, 'line.pcap');
    const capture = await startCapture(pcap, `tcp and host ${SERVER} and port ${port}`);
    for (let round = 0; round < 3; round++) {
      for (const shape of SHAPES) {
        const session = await client(port, shape.opts);
        if (shape.resume && session) await client(port, shape.opts, session);
      }
    }
    await capture.stop();
    const registry = new PluginRegistry([{ plugin: https as WildtlsPlugin, spec: https.id, source: 'builtin', entry: '' }] as never);
    const ports = passivePortMap(registry, { https: [port] });
    await readCaptureFlows(pcap, createPassiveFlowFactory({ ports }, (r) => records.push(r)), { watchPorts: watchedPorts(ports) });
  }, 120_000);

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the capture has every kind of record this test wants: TLS 1.3 and 1.2, resumed, failed, with and without SNI', () => {
    expect(records.length).toBeGreaterThanOrEqual(SHAPES.length * 3);
    for (const r of records) expect([r.ip, r.passive!.client.ip, r.passive!.midStream]).toEqual([SERVER, CLIENT, false]);
    const tls = records.map((r) => r.tls!);
    expect(tls.some((t) => t.version === 'TLSv1.3' && t.completed)).toBe(true);
    expect(tls.some((t) => t.version === 'TLSv1.2' && t.completed && t.chain.length === 2)).toBe(true);
    expect(records.some((r) => r.status === 'tls-failed' && r.passive!.alertFrom === 'server')).toBe(true);
    expect(records.filter((r) => r.passive!.resumed).length).toBeGreaterThanOrEqual(4);
    expect(records.some((r) => r.passive!.clientHello && r.passive!.clientHello.serverName === undefined)).toBe(true);
    expect(records.some((r) => r.passive!.clientHello?.serverName?.includes('"'))).toBe(true);
  });

  it('every record\'s line is JSON.stringify of the record, key order included', () => {
    for (const r of records) expect(recordLine(r)).toBe(JSON.stringify(r));
  });

  it('the line was made with the record (the sink does not serialize it again): a later change to the record is not in it', () => {
    for (const r of records.filter((x) => x.passive!.clientHello)) {
      const line = recordLine(r);
      const copy = structuredClone(r);
      r.durationMs = -1;
      expect(recordLine(r)).toBe(line);
      r.durationMs = copy.durationMs;
    }
  });

  it('the line is not one of the record\'s keys, and a copy (spread, structuredClone) is serialized afresh, with its changes', () => {
    const r = records.find((x) => x.passive!.clientHello)!;
    expect(Object.keys(r)).toEqual(Object.keys(JSON.parse(recordLine(r)) as object));
    for (const copy of [{ ...r, durationMs: 12345 }, Object.assign(structuredClone(r), { durationMs: 12345 })]) {
      expect(recordLine(copy)).toBe(JSON.stringify(copy));
      expect(recordLine(copy)).toContain('"durationMs":12345');
    }
  });

  it('records of one ClientHello shape share frozen lists; changing a record\'s own lists changes no other record\'s line', () => {
    const byJa3 = new Map<string, ProbeRecord[]>();
    for (const r of records) if (r.passive!.ja3) byJa3.set(r.passive!.ja3, [...(byJa3.get(r.passive!.ja3) ?? []), r]);
    const repeated = [...byJa3.values()].filter((list) => list.length >= 3);
    expect(repeated.length).toBeGreaterThanOrEqual(3);
    for (const [a, b, c] of repeated) {
      const ha = a!.passive!.clientHello!;
      expect(c!.passive!.clientHello!.groups).toBe(b!.passive!.clientHello!.groups);
      for (const list of [ha.groups, ha.extensions, ha.supportedVersions, ha.alpn]) {
        expect(Object.isFrozen(list)).toBe(true);
        expect(() => (list as unknown[]).push(0)).toThrow(TypeError);
      }
      const lineB = recordLine(b!);
      ha.cipherSuites.reverse();
      ha.signatureAlgorithms.push(1);
      expect(recordLine(b!)).toBe(lineB);
      expect(lineB).toBe(JSON.stringify(b));
    }
  });

  it('records of one server share its frozen tls pieces (suite, extensions, key exchange, chain, ticket); a changed record changes no other line', () => {
    const done12 = records.filter((r) => r.tls!.version === 'TLSv1.2' && r.tls!.completed && r.tls!.chain.length === 2 && r.tls!.sessionTickets?.length);
    const done13 = records.filter((r) => r.tls!.version === 'TLSv1.3' && r.tls!.completed);
    expect(done12.length).toBeGreaterThanOrEqual(3);
    expect(done13.length).toBeGreaterThanOrEqual(3);
    for (const [a, b] of [done12, done13] as ProbeRecord[][]) {
      const ta = a!.tls!;
      const tb = b!.tls!;
      expect(tb.serverExtensions).toBe(ta.serverExtensions);
      expect(tb.keyExchange).toBe(ta.keyExchange);
      if (ta.cipherSuite!.id === tb.cipherSuite!.id) expect(tb.cipherSuite).toBe(ta.cipherSuite);
      const pieces: object[] = [ta.cipherSuite!, ta.serverExtensions!, ta.serverExtensions![0]!, ta.keyExchange!];
      if (ta.version === 'TLSv1.2') {
        expect(tb.chain).toBe(ta.chain);
        expect(tb.sessionTickets![0]).toBe(ta.sessionTickets![0]);
        pieces.push(ta.chain, ta.sessionTickets![0]!);
      }
      for (const piece of pieces) expect(Object.isFrozen(piece)).toBe(true);
      expect(() => (ta.serverExtensions as unknown[]).push(0)).toThrow(TypeError);
      const lineB = recordLine(b!);
      ta.sessionTickets?.push({ lifetime: 1, length: 1 });
      ta.serverExtensions = [];
      expect(recordLine(b!)).toBe(lineB);
      // (The rest of b's line was checked above; the test before this one changed b's hello lists.)
      expect(lineB).toContain(`"tls":${JSON.stringify(tb)},"passive":`);
    }
  });

  it('the JSONL sink writes those lines', async () => {
    const fresh: ProbeRecord[] = [];
    const registry = new PluginRegistry([{ plugin: https as WildtlsPlugin, spec: https.id, source: 'builtin', entry: '' }] as never);
    const ports = passivePortMap(registry, { https: [records[0]!.port] });
    await readCaptureFlows(join(dir, 'line.pcap'), createPassiveFlowFactory({ ports }, (r) => fresh.push(r)), { watchPorts: watchedPorts(ports) });
    const out = join(dir, 'out.jsonl');
    const sink = new JsonlSink({ path: out });
    for (const r of fresh) await sink.write(r);
    await sink.close();
    expect(readFileSync(out, 'utf8')).toBe(fresh.map((r) => JSON.stringify(r) + '\n').join(''));
  });
});
