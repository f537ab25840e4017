import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, NodeTlsEngine, RawTlsEngine, asDuplex, dialTcp, resolveProfile, type ByteStream, type SocketKind } from '@wildtls/core';
import { removeDir, tempDir } from '../harness/daemon.js';
import { makePki, type TestPki } from './pki.js';
import { listenOn } from '../harness/listen.js';

/**
 * The decrypted stream a completed handshake hands back (a lean ByteStream,
 * not a Duplex): held data, flow control, end and close, over both socket paths.
 * A node tls.Server on 127.0.20.53 speaks first and closes after a greeting.
 * A byte relay on 127.0.20.54 in front of it lets a test inject raw bytes
 * towards the client after the handshake (a hostile or broken peer).
 */
describe('TlsStream over a completed handshake', () => {
  let pki: TestPki;
  let server: Server;
  const peers = new Set<TLSSocket>();
  let onPeer: (s: TLSSocket) => void = () => {};
  let relay: NetServer;
  let relayed: Socket | undefined; // the relay's socket towards the client under test
  const relaySockets = new Set<Socket>();

  beforeAll(async () => {
    pki = makePki(tempDir('tls-stream'));
    const f = (n: string) => readFileSync(join(pki.dir, n));
    server = createServer({ key: f('rsa.key'), cert: f('rsa-chain.crt') }, (s) => {
      peers.add(s);
      s.on('error', () => {});
      onPeer(s);
    });
    server.on('tlsClientError', () => {});
    await listenOn(server, 4433, '127.0.20.53');
    relay = createNetServer((c) => {
      relayed = c;
      const up = netConnect(4433, '127.0.20.53');
      for (const x of [c, up]) {
        relaySockets.add(x);
        x.on('error', () => {});
      }
      c.pipe(up).pipe(c);
    });
    await listenOn(relay, 4434, '127.0.20.54');
  });
  afterAll(async () => {
    for (const x of relaySockets) x.destroy();
    await new Promise((r) => relay.close(r));
    for (const p of peers) p.destroy();
    await new Promise((r) => server.close(r));
    if (pki) removeDir(pki.dir);
  });

  async function complete(kind: SocketKind, profile = 'modern', via: 'direct' | 'relay' = 'direct'): Promise<ByteStream> {
    const socket = via === 'relay' ? await dialTcp('127.0.20.54', 4434, { timeoutMs: 2000, kind }) : await dialTcp('127.0.20.53', 4433, { timeoutMs: 2000, kind });
    const r = await new RawTlsEngine().handshake(socket, { profile: resolveProfile(profile, {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20 });
    expect(r.info.error).toBeUndefined();
    return r.stream!;
  }

  for (const kind of ['lean', 'node'] as const) {
    it(`${kind}: a greeting sent before anyone reads is held, then delivered before 'end' and 'close'`, async () => {
      onPeer = (s) => s.end('greeting\r\n');
      const stream = await complete(kind);
      await new Promise((r) => setTimeout(r, 100));
      const events: string[] = [];
      const closed = new Promise<void>((res) => stream.on('close', () => res()));
      stream.on('end', () => events.push('end'));
      stream.on('data', (d: Buffer) => events.push(d.toString()));
      await closed;
      expect(events).toEqual(['greeting\r\n', 'end']);
    });

    it(`${kind}: pause() holds data until resume(); writes reach the server sealed`, async () => {
      let peer: TLSSocket | undefined;
      onPeer = (s) => {
        peer = s;
        s.on('data', (d) => s.write(`echo ${d.toString()}`));
      };
      const stream = await complete(kind, kind === 'lean' ? 'modern' : 'compat');
      const got: string[] = [];
      stream.on('data', (d: Buffer) => {
        got.push(d.toString());
        stream.pause();
      });
      await new Promise<void>((res, rej) => stream.write('one', (e) => (e ? rej(e) : res())));
      await until(() => got.length === 1);
      stream.write('two');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['echo one']);
      stream.resume();
      await until(() => got.length === 2);
      expect(got).toEqual(['echo one', 'echo two']);
      const peerEnded = new Promise<void>((res) => peer!.on('end', () => res()));
      stream.end();
      await peerEnded;
      stream.destroy();
      expect(stream.destroyed).toBe(true);
      const err = await new Promise<Error | null | undefined>((res) => stream.write('late', res));
      expect(err).toBeInstanceOf(Error);
    });
  }

  /** A socket whose writes are counted (what the client hands the kernel: one write(2) each). */
  async function counted(kind: SocketKind): Promise<{ socket: ByteStream; writes: Buffer[] }> {
    const socket = await dialTcp('127.0.20.53', 4433, { timeoutMs: 2000, kind });
    const writes: Buffer[] = [];
    const write = socket.write.bind(socket);
    socket.write = ((data: Buffer, cb?: (err?: Error | null) => void) => (writes.push(Buffer.from(data)), write(data, cb))) as typeof socket.write;
    return { socket, writes };
  }

  for (const kind of ['lean', 'node'] as const) {
    it(`${kind}, TLS 1.3: our Finished leaves in one write with the first command of the same turn, and the server reads both`, async () => {
      onPeer = (s) => s.on('data', (d) => s.end(`echo ${d.toString()}`));
      const { socket, writes } = await counted(kind);
      const r = await new RawTlsEngine().handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20 });
      expect(r.info.version).toBe('TLSv1.3');
      const got: string[] = [];
      const ended = new Promise<void>((res) => r.stream!.on('end', () => res()));
      r.stream!.on('data', (d: Buffer) => got.push(d.toString()));
      r.stream!.write('ping');
      await ended;
      expect(got.join('')).toBe('echo ping');
      // The ClientHello, then the Finished (after a change_cipher_spec) with the command's record.
      expect(writes.length).toBe(2);
      expect(writes[1]!.subarray(0, 6)).toEqual(Buffer.from([20, 3, 3, 0, 1, 1]));
      r.stream!.destroy();
    });

    it(`${kind}, TLS 1.3: with nothing written, the Finished leaves alone at the end of the turn (a server that speaks first gets it)`, async () => {
      onPeer = (s) => s.end('greeting\r\n');
      const { socket, writes } = await counted(kind);
      const r = await new RawTlsEngine().handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20 });
      expect(writes.length).toBe(1);
      const got: string[] = [];
      const ended = new Promise<void>((res) => r.stream!.on('end', () => res()));
      r.stream!.on('data', (d: Buffer) => got.push(d.toString()));
      await ended;
      expect(got).toEqual(['greeting\r\n']);
      expect(writes.length).toBe(2);
      r.stream!.destroy();
    });

    it(`${kind}, TLS 1.3: end() at once sends the Finished and close_notify in one write; the server sees a clean end`, async () => {
      let peerEnded!: Promise<void>;
      onPeer = (s) => {
        peerEnded = new Promise<void>((res) => s.on('end', () => res()));
      };
      const { socket, writes } = await counted(kind);
      const r = await new RawTlsEngine().handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20 });
      r.stream!.end();
      expect(writes.length).toBe(2);
      await until(() => peerEnded !== undefined);
      await peerEnded;
      r.stream!.destroy();
    });
  }

  for (const [kind, profile] of [['lean', 'modern'], ['node', 'compat']] as const) {
    for (const [what, bytes, expected] of [
      ['a forged application-data record', Buffer.concat([Buffer.from([23, 3, 3, 0, 40]), Buffer.alloc(40, 0xa5)]), /bad_record_mac/],
      ['a record longer than 2^14+2048', Buffer.from([23, 3, 3, 0x50, 0x01]), /exceeds the maximum/],
      ['bytes that are not TLS', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /not a TLS record/],
    ] as const) {
      it(`${kind}, ${profile}: ${what} after the handshake ends the stream with an 'error' then 'close'`, async () => {
        onPeer = () => {};
        const stream = await complete(kind, profile, 'relay');
        const errors: Error[] = [];
        const data: Buffer[] = [];
        stream.on('error', (e: Error) => errors.push(e));
        stream.on('data', (d: Buffer) => data.push(d));
        const closed = new Promise<void>((res) => stream.on('close', () => res()));
        relayed!.write(bytes);
        await closed;
        expect(data).toEqual([]);
        expect(errors).toHaveLength(1);
        expect(errors[0]!.message).toMatch(expected);
        expect(stream.destroyed).toBe(true);
      });
    }
  }

  for (const engine of [new RawTlsEngine(), new NodeTlsEngine()]) {
    it(`${engine.name} engine: a dialog reading over the stream gets protocol-error / tls-protocol, not an internal error`, async () => {
      onPeer = () => {};
      const socket = await dialTcp('127.0.20.54', 4434, { timeoutMs: 2000 });
      const r = await engine.handshake(socket, { profile: resolveProfile('modern', {}), observeOnly: false, readTimeoutMs: 2000, maxBytes: 1 << 20 });
      expect(r.info.error).toBeUndefined();
      const conn = new Connection(r.stream!, { readTimeoutMs: 2000, maxLineBytes: 1024, maxTotalBytes: 1 << 16 });
      const line = conn.readLine();
      relayed!.write(Buffer.concat([Buffer.from([23, 3, 3, 0, 40]), Buffer.alloc(40, 0xa5)]));
      await expect(line).rejects.toMatchObject({ status: 'protocol-error', reason: 'tls-protocol', message: expect.stringMatching(/^after the TLS handshake: .*(bad_record_mac|bad record mac|decryption failed)/i) });
      conn.destroy();
    });
  }

  it('asDuplex() turns it into a node stream (for consumers that need one)', async () => {
    onPeer = (s) => s.on('data', (d) => s.end(d.toString().toUpperCase()));
    const duplex = asDuplex(await complete('lean'));
    const chunks: Buffer[] = [];
    duplex.on('data', (d: Buffer) => chunks.push(d));
    const ended = new Promise<void>((res) => duplex.on('end', () => res()));
    duplex.write('shout');
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('SHOUT');
    duplex.destroy();
  });
});

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
