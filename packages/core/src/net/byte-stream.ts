import { Duplex } from 'node:stream';

/**
 * What the kernel needs from a connected byte stream: a net.Socket, a
 * TlsStream, any Duplex, or the lean TcpClient all fit. Events: 'data'
 * (Buffer), 'end', 'close', 'error'. Reading starts on resume().
 */
export interface ByteStream {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as EventEmitter types it, so a listener taking (d: Buffer) fits
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as EventEmitter types it, so a listener taking (d: Buffer) fits
  off(event: string, listener: (...args: any[]) => void): unknown;
  write(data: Buffer | string, cb?: (err?: Error | null) => void): boolean;
  end(): unknown;
  destroy(): unknown;
  /**
   * Close at once (optional): send what a clean end needs (a TLS stream's close_notify), then
   * release the connection without waiting for the peer's end, reading nothing more. A stream
   * without it is closed by closeNow() below.
   */
  close?(): unknown;
  pause(): unknown;
  resume(): unknown;
  readonly destroyed: boolean;
}

/**
 * Close a probe's stream at once, never throwing: its own close() where it has one (TlsStream:
 * close_notify then close), node:net's destroySoon() otherwise (a net.Socket or a node:tls
 * TLSSocket: flush what is written, close_notify included, send FIN, then close without waiting for
 * the peer's FIN; a write the peer never takes is dropped 200 ms later), else destroy() (the lean
 * TcpClient: the kernel sends what was written, then FIN, or a reset when unread bytes wait).
 */
export function closeNow(stream: ByteStream): void {
  try {
    const s = stream as ByteStream & { destroySoon?: () => void };
    if (typeof s.close === 'function') s.close();
    else if (typeof s.destroySoon === 'function') {
      s.destroySoon();
      if (!s.destroyed) setTimeout(() => s.destroy(), 200).unref();
    }
    else s.destroy();
  } catch {
    /* already gone */
  }
}

/** A Duplex over any ByteStream, for consumers that need a real stream (node:tls). */
export function asDuplex(stream: ByteStream): Duplex {
  if (stream instanceof Duplex) return stream;
  const d = new Duplex({
    read: () => void stream.resume(),
    write: (chunk: Buffer, _enc, cb) => void stream.write(chunk, cb),
    final: (cb) => {
      stream.end();
      cb();
    },
    destroy: (err, cb) => {
      stream.destroy();
      cb(err);
    },
  });
  stream.on('data', (chunk: Buffer) => {
    if (!d.push(chunk)) stream.pause();
  });
  stream.on('end', () => d.push(null));
  stream.on('close', () => {
    if (!d.readableEnded) d.push(null);
  });
  stream.on('error', (err: Error) => d.destroy(err));
  return d;
}
