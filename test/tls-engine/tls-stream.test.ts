import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTlsEngine, asDuplex, dialTcp, resolveProfile, type ByteStream, type SocketKind } from '@wildtls/core';
import { removeDir, tempDir } from '../harness/daemon.js';
import { makePki, type TestPki } from './pki.js';

/**
 * The decrypted stream a completed handshake hands back (a lean ByteStream,
 * not a Duplex): held data, flow control, end and close, over both socket paths.
 * A node tls.Server on 127.0.20.53 speaks first and closes after a greeting.
 */
describe('TlsStream over a completed handshake', () => {
  let pki: TestPki;
  let server: Server;
  const peers = new Set<TLSSocket>();
  let onPeer: (s: TLSSocket) => void = () => {};

  beforeAll(async () => {
    pki = makePki(tempDir('tls-stream'));
    const f = (n: string) => readFileSync(join(pki.dir, n));
    server = createServer({ key: f('rsa.key'), cert: f('rsa-chain.crt') }, (s) => {
      peers.add(s);
      s.on('error', () => {});
      onPeer(s);
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((res) => server.listen(4433, '127.0.20.53', () => res()));
  });
  afterAll(async () => {
    for (const p of peers) p.destroy();
    await new Promise((r) => server.close(r));
    if (pki) removeDir(pki.dir);
  });

  async function complete(kind: SocketKind, profile = 'modern'): Promise<ByteStream> {
    const socket = await dialTcp('127.0.20.53', 4433, { timeoutMs: 2000, kind });
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
