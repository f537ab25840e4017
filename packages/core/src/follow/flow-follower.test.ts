import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateChain, type TestChain } from '../testing/certificates.js';
import type { FlowDirection, FlowStart } from '../passive/flow.js';
import type { ProbeRecord } from '../record/record-schema.js';
import { FlowFollower, type FollowResult } from './flow-follower.js';
import { passiveRecord } from './passive-record.js';
import { listenOn } from '../../../../test/harness/listen.js';

/**
 * The TLS follower on byte streams recorded by a Node proxy between node:tls
 * client and server on 127.0.63.20: the record agrees with what both ends
 * negotiated, however the bytes are cut, and mutated streams (a seeded fuzz)
 * always end in one record, never an exception.
 */
const HOST = '127.0.63.20';
type Chunk = [FlowDirection, Buffer];

let chain: TestChain;
let server: Server;

async function transcript(opts: { maxVersion: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string }): Promise<{ chunks: Chunk[]; cipher: string; version: string }> {
  const chunks: Chunk[] = [];
  const proxy = createServer((c) => {
    const up = netConnect((server.address() as AddressInfo).port, HOST);
    c.on('data', (d) => { chunks.push(['client', Buffer.from(d)]); up.write(d); });
    up.on('data', (d) => { chunks.push(['server', Buffer.from(d)]); c.write(d); });
    c.on('end', () => up.end());
    up.on('end', () => c.end());
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await listenOn(proxy, 0, HOST);
  const socket: TLSSocket = tlsConnect({ host: HOST, port: (proxy.address() as AddressInfo).port, servername: 'follow.wildtls.test', rejectUnauthorized: false, maxVersion: opts.maxVersion, ...(opts.ciphers ? { ciphers: opts.ciphers } : {}) });
  await new Promise<void>((r, j) => { socket.once('secureConnect', r); socket.once('error', j); });
  const cipher = socket.getCipher().standardName;
  const version = socket.getProtocol()!;
  socket.write('hello\n');
  await new Promise((r) => socket.once('data', r));
  socket.end();
  await new Promise((r) => socket.once('close', r));
  await new Promise<void>((r) => proxy.close(() => r()));
  return { chunks, cipher, version };
}

const START: FlowStart = { clientIp: '127.0.0.9', clientPort: 40000, serverIp: HOST, serverPort: 443, ts: 1_000, midStream: false };

function follow(chunks: Chunk[]): { record: ProbeRecord; results: FollowResult[] } {
  const results: FollowResult[] = [];
  const f = new FlowFollower(START, undefined, (r) => results.push(r));
  for (const [dir, bytes] of chunks) if (!f.done) f.data(dir, bytes, 1_001);
  f.end('fin', 1_002);
  expect(results).toHaveLength(1);
  return { record: passiveRecord(results[0]!, { name: 'https', protocolId: 'https', mode: 'implicit' }, (ip) => ip), results };
}

beforeAll(async () => {
  chain = await certificateChain({ leafName: 'follow.wildtls.test' });
  server = createTlsServer({ key: chain.leaf.keyPem, cert: chain.leaf.certPem + chain.intermediate.certPem, ciphers: 'DEFAULT:@SECLEVEL=0' }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  }) as unknown as Server;
  await listenOn(server, 0, HOST);
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('FlowFollower on recorded TLS streams', () => {
  it('TLS 1.2: the suite and version both ends agreed on, the chain as sent, SNI, completion and application data', async () => {
    const t = await transcript({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    const { record } = follow(t.chunks);
    expect(t.version).toBe('TLSv1.2');
    expect(record.tls).toMatchObject({ version: 'TLSv1.2', cipherSuite: { name: t.cipher }, completed: true, keyExchange: { kind: 'ECDHE' } });
    expect(record.tls!.chain).toEqual([chain.leaf.der.toString('base64'), chain.intermediate.der.toString('base64')]);
    expect(record.passive).toMatchObject({ endReason: 'handshake-done', applicationData: true, resumed: false, clientHello: { serverName: 'follow.wildtls.test' } });
    expect(record.status).toBe('success');
  });

  it('TLS 1.3: completed, chain hidden', async () => {
    const t = await transcript({ maxVersion: 'TLSv1.3' });
    const { record } = follow(t.chunks);
    expect(record.tls).toMatchObject({ version: 'TLSv1.3', cipherSuite: { name: t.cipher }, completed: true, chain: [] });
    expect(record.passive).toMatchObject({ chainHidden: true, applicationData: true });
  });

  it('gives the same record whatever the chunking (one byte at a time)', async () => {
    const t = await transcript({ maxVersion: 'TLSv1.2' });
    const whole = follow(t.chunks).record;
    const bytes: Chunk[] = t.chunks.flatMap(([d, b]) => [...b].map((x): Chunk => [d, Buffer.from([x])]));
    const split = follow(bytes).record;
    expect(split.tls).toEqual(whole.tls);
    expect(split.passive).toEqual(whole.passive);
  });

  it('keeps nothing that points into the bytes it was handed (a capture reuses its read buffer after each call)', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const t = await transcript({ maxVersion });
      const whole = follow(t.chunks);
      for (const size of [1, 7, 300, 100_000]) {
        const reused = Buffer.alloc(size);
        const results: FollowResult[] = [];
        const f = new FlowFollower(START, undefined, (r) => results.push(r));
        for (const [dir, bytes] of t.chunks) {
          for (let at = 0; at < bytes.length && !f.done; at += size) {
            const n = bytes.copy(reused, 0, at, at + size);
            f.data(dir, reused.subarray(0, n), 1_001);
            reused.fill(0xee);
          }
        }
        f.end('fin', 1_002);
        const record = passiveRecord(results[0]!, { name: 'https', protocolId: 'https', mode: 'implicit' }, (ip) => ip);
        expect(record.tls, `${maxVersion}, ${size}-byte pieces`).toEqual(whole.record.tls);
        expect(record.passive).toEqual(whole.record.passive);
        // The hello is kept until the record is made: its session id too (TLS 1.3's compatibility id is 32 bytes).
        const id = whole.results[0]!.tls.clientHello!.sessionId;
        if (maxVersion === 'TLSv1.3') expect(id.length).toBe(32);
        expect(results[0]!.tls.clientHello!.sessionId.equals(id)).toBe(true);
      }
    }
  });

  it('a cut stream ends in one record that says the handshake did not finish', async () => {
    const t = await transcript({ maxVersion: 'TLSv1.2' });
    const { record } = follow(t.chunks.slice(0, 2));
    expect(record.tls!.completed).toBe(false);
    expect(record.tls!.notCompletedReason).toBeDefined();
    expect(record.status).toBe('tls-failed');
    expect(record.error!.reason).toBe('connection-closed');
  });

  it('seeded fuzz: 400 mutated streams (flipped, cut, repeated bytes) each end in exactly one record, never an exception', async () => {
    const t = await transcript({ maxVersion: 'TLSv1.2' });
    let seed = 16;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const statuses = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const chunks: Chunk[] = t.chunks.map(([d, b]) => [d, Buffer.from(b)]);
      for (let m = 0; m < 1 + rand(4); m++) {
        const c = chunks[rand(chunks.length)]!;
        const at = rand(c[1].length);
        const kind = rand(3);
        if (kind === 0) c[1][at] = rand(256);
        else if (kind === 1) c[1] = c[1].subarray(0, at);
        else c[1] = Buffer.concat([c[1].subarray(0, at), Buffer.alloc(rand(64), rand(256)), c[1].subarray(at)]);
      }
      const { record } = follow(chunks);
      statuses.add(record.status);
      expect(['success', 'tls-failed', 'timeout']).toContain(record.status);
    }
    expect(statuses.has('tls-failed')).toBe(true);
  });

  it('seeded fuzz: a mutated stream gives the same record, error and offset included, handed over whole or a byte at a time', async () => {
    // Whole chunks are read in place where their records are whole; single bytes all pass through the record queue.
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const t = await transcript({ maxVersion });
      let seed = 30;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
      let errors = 0;
      for (let i = 0; i < 150; i++) {
        const chunks: Chunk[] = t.chunks.map(([d, b]) => [d, Buffer.from(b)]);
        for (let m = 0; m < 1 + rand(3); m++) {
          const c = chunks[rand(chunks.length)]!;
          const at = rand(c[1].length);
          const kind = rand(3);
          if (kind === 0) c[1][at] = rand(256);
          else if (kind === 1) c[1] = c[1].subarray(0, at);
          else c[1] = Buffer.concat([c[1].subarray(0, at), Buffer.alloc(1 + rand(8), rand(256)), c[1].subarray(at)]);
        }
        const whole = follow(chunks).record;
        const bytes = follow(chunks.flatMap(([d, b]) => [...b].map((x): Chunk => [d, Buffer.from([x])]))).record;
        if (whole.tls?.error) errors++;
        expect(bytes.tls, `${maxVersion} mutation ${i}`).toEqual(whole.tls);
        expect(bytes.passive).toEqual(whole.passive);
      }
      expect(errors).toBeGreaterThan(20);
    }
  });
});
