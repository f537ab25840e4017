import { createServer, type Server, type Socket } from 'node:net';
import { handshakeMessage } from '../../src/tls/bytes.js';
import { listenOn } from '../../../../test/harness/listen.js';

/**
 * Server flights written out from the RFC 5246 message layouts, for servers
 * that misbehave on purpose, and a loopback server that sends them once the
 * ClientHello arrived. Tests of this suite use 127.0.42.0/24.
 */

export const TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f;
export const TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033;

/** One record: type, version, 16-bit length, body. */
export function record(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type, version >> 8, version & 255, body.length >> 8, body.length & 255]), body]);
}

/** A handshake stream cut into handshake records of `size` bytes. */
export function handshakeRecords(stream: Buffer, size: number, type = 22): Buffer {
  const out = Buffer.alloc(stream.length + 5 * Math.ceil(stream.length / size));
  let o = 0;
  for (let i = 0; i < stream.length; i += size) {
    const piece = stream.subarray(i, i + size);
    out.set([type, 3, 3, piece.length >> 8, piece.length & 255], o);
    out.set(piece, o + 5);
    o += 5 + piece.length;
  }
  return out;
}

/** ServerHello (TLS 1.2, no session id, no extensions). */
export function serverHello(suite: number): Buffer {
  return handshakeMessage(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, suite >> 8, suite & 255, 0])]));
}

const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255]);
const vec16 = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);

/** Certificate (TLS 1.2 form): a 24-bit list of 24-bit entries. */
export function certificate(entries: Buffer[]): Buffer {
  const list = Buffer.concat(entries.flatMap((e) => [u24(e.length), e]));
  return handshakeMessage(11, Buffer.concat([u24(list.length), list]));
}

/** ServerKeyExchange for DHE: p, g, Ys, then an (unchecked) rsa_pkcs1_sha256 signature. */
export function dheServerKeyExchange(p: Buffer, g: Buffer, ys: Buffer): Buffer {
  return handshakeMessage(12, Buffer.concat([vec16(p), vec16(g), vec16(ys), Buffer.from([4, 1]), vec16(Buffer.alloc(256, 1))]));
}

export const serverHelloDone = (): Buffer => handshakeMessage(14, Buffer.alloc(0));

/** An odd number of exactly `bits` bits (top and bottom bit set). Not a prime: the engine never tests that. */
export function oddNumber(bits: number, fill = 0x5a): Buffer {
  const b = Buffer.alloc(Math.ceil(bits / 8), fill);
  const top = bits % 8 || 8;
  b[0] = (b[0]! & ((1 << top) - 1)) | (1 << (top - 1));
  b[b.length - 1] = b[b.length - 1]! | 1;
  return b;
}

export interface FlightServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A loopback server that, once a connection's first bytes (the ClientHello)
 * arrive, calls `send` with the socket; `send` writes what the test wants.
 */
export async function startFlightServer(host: string, send: (socket: Socket) => void | Promise<void>): Promise<FlightServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', () => void Promise.resolve(send(s)).catch(() => s.destroy()));
  });
  const port = await listenOn(server, 0, host);
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Write `data` in pieces of `size` bytes, each its own write (TCP_NODELAY), `perTick` pieces per turn of the loop. */
export async function writeInPieces(s: Socket, data: Buffer, size: number, perTick = 256): Promise<void> {
  s.setNoDelay(true);
  for (let i = 0, n = 0; i < data.length && !s.destroyed; i += size, n++) {
    s.write(data.subarray(i, i + size));
    if (n % perTick === perTick - 1) await new Promise((r) => setImmediate(r));
  }
}
