import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ClientHandshake } from './client-handshake.js';

/**
 * The decrypted application-data stream over a completed handshake. Reads
 * are the server's application data; writes are sealed into records. Ending
 * the stream sends close_notify; backpressure pauses the socket.
 */
export class TlsStream extends Duplex {
  private readonly onData = (chunk: Buffer) => {
    this.hs.feed(chunk);
    this.flush();
    if (this.hs.state === 'failed') this.destroy(new Error(this.hs.info.error?.message ?? 'TLS error'));
  };
  private readonly onEnd = () => this.push(null);
  private readonly onError = (err: Error) => this.destroy(err);
  private readonly onClose = () => {
    if (!this.readableEnded) this.push(null);
  };

  constructor(private readonly socket: Socket, private readonly hs: ClientHandshake) {
    super();
    hs.onAppData = (d) => {
      if (!this.push(d)) socket.pause();
    };
    hs.onPeerClose = () => this.push(null);
    for (const d of hs.appData.splice(0)) hs.onAppData(d);
    if (hs.peerClosed) this.push(null);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Post-handshake replies (KeyUpdate) queued by the state machine. */
  private flush(): void {
    const out = this.hs.drain();
    if (out && !this.socket.destroyed) this.socket.write(out);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed) return cb(new Error('socket closed'));
    this.socket.write(this.hs.sealApplicationData(chunk), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    const alert = this.hs.closeNotify();
    if (alert && !this.socket.destroyed) this.socket.write(alert);
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.off('data', this.onData);
    this.socket.destroy();
    cb(err);
  }
}
