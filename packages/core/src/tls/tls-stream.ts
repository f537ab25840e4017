import { closeNow, type ByteStream } from '../net/byte-stream.js';
import { LeanEmitter, type StreamSink } from '../net/lean-emitter.js';
import { hearStream } from '../net/hear-stream.js';
import type { ByteBudget } from '../net/byte-budget.js';
import { ProbeError } from '../record/status.js';
import type { AppDataSink, ClientHandshake } from './client-handshake.js';
import { TlsFailure } from './tls-failure.js';
import { join2 } from './bytes.js';

type WriteCallback = (err?: Error | null) => void;

/**
 * The decrypted application-data stream over a completed handshake, as a
 * ByteStream (events 'data', 'end', 'close', 'error'; asDuplex() makes a
 * node stream of it). Reads are the server's application data, paused until
 * resume() or, as with node streams, until a 'data' listener is added
 * (unless paused explicitly); writes are sealed into records; end() sends
 * close_notify.
 * Deliberately not a Duplex: a scan completes one per probe and most are
 * closed after a line or two, where a Duplex's set-up and teardown cost more
 * than the record protection.
 * With the probe's ByteBudget, every raw byte read from the socket is charged
 * to it (decrypted bytes never are); passing the cap is an 'error' with
 * reason reply-too-large, as the dialog's own reads report it.
 *
 * Our last handshake flight (the client Finished of TLS 1.3) is handed over
 * unwritten: it leaves with the first write or end() made in the same turn
 * of the event loop (a dialog's first command, or the close_notify of a probe
 * that only wanted the handshake), or alone at the end of that turn. One
 * write(2), one segment and one wake-up of the server instead of two; a
 * server that speaks first waits for the Finished, so it is never held longer.
 */
export class TlsStream extends LeanEmitter implements ByteStream, StreamSink, AppDataSink {
  // Fields declared and set in the constructor in this order (no <instance_members_initializer>; see LeanEmitter).
  private declare readonly socket: ByteStream;
  private declare readonly hs: ClientHandshake;
  private declare readonly budget: ByteBudget | undefined;
  /** null until someone reads or pauses: as a node stream, a first 'data' listener then starts the flow. */
  private declare flowing: boolean | null;
  private declare held: Buffer[];
  private declare ended: boolean;
  private declare endEmitted: boolean;
  private declare closed: boolean;
  /** The handshake's last flight, until it is written (with the next write, or alone at the end of this turn). */
  private declare flight: Buffer | undefined;

  /** Set by close() and destroy(): nothing more the socket sends is read. */
  private declare readingOff: boolean;

  constructor(socket: ByteStream, hs: ClientHandshake, budget?: ByteBudget, flight?: Buffer) {
    super();
    this.socket = socket;
    this.hs = hs;
    this.budget = budget;
    this.flowing = null;
    this.held = [];
    this.ended = false;
    this.endEmitted = false;
    this.closed = false;
    this.flight = undefined;
    this.readingOff = false;
    if (flight) {
      this.flight = flight;
      holdFlight(this);
    }
    hs.appSink = this;
    if (hs.appData.length) for (const d of hs.appData.splice(0)) this.deliver(d);
    if (hs.peerClosed) this.peerEnded();
    // The socket's events: as its sink where it is a core LeanEmitter (the lean TcpClient), by listeners otherwise.
    hearStream(socket, this);
  }

  /** @internal StreamSink: the socket's bytes (TLS records). */
  onStreamData(chunk: Buffer): void {
    if (this.readingOff) return;
    if (this.budget && !this.budget.charge(chunk.length)) {
      const err = new ProbeError('protocol-error', 'reply-too-large', `server sent more than ${this.budget.limit} bytes in this probe (the per-probe byte cap), passed after the TLS handshake`);
      if (this.listenerCount('error') > 0) this.emit('error', err);
      this.destroy();
      return;
    }
    this.hs.feed(chunk);
    const out = this.hs.drain();
    if (out && !this.socket.destroyed) this.send(out);
    if (this.hs.state === 'failed') {
      // A TlsFailure, so a Connection can tell a broken TLS session from its own failures.
      if (this.listenerCount('error') > 0) this.emit('error', this.hs.failure ?? new TlsFailure('protocol', 'TLS error'));
      this.destroy();
    }
  }

  /** @internal StreamSink */
  onStreamEnd(): void {
    this.peerEnded();
  }

  /** @internal StreamSink */
  onStreamClose(): void {
    this.peerEnded();
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  /** @internal StreamSink */
  onStreamError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  /** @internal AppDataSink: the handshake's decrypted application data. */
  deliver(d: Buffer): void {
    if (this.flowing && this.held.length === 0) this.emitData(d);
    else {
      this.held.push(d);
      this.socket.pause();
    }
  }

  /** @internal AppDataSink too. The server ended the TLS session (close_notify) or the TCP stream: 'end' once, after held data. */
  peerEnded(): void {
    this.ended = true;
    this.maybeEmitEnd();
  }

  private maybeEmitEnd(): void {
    if (!this.ended || this.endEmitted || this.held.length > 0) return;
    this.endEmitted = true;
    this.emit('end');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- overrides LeanEmitter.on, whose listener takes any[] (as EventEmitter's)
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' && this.flowing === null) this.resume();
    return this;
  }

  pause(): this {
    this.flowing = false;
    return this;
  }

  resume(): this {
    this.flowing = true;
    while (this.flowing && this.held.length > 0) this.emitData(this.held.shift()!);
    if (this.flowing) {
      this.maybeEmitEnd();
      if (!this.ended) this.socket.resume();
    }
    return this;
  }

  write(data: Buffer | string, cb?: WriteCallback): boolean {
    if (this.socket.destroyed) {
      const err = new Error('write after the TLS stream was destroyed');
      if (cb) queueMicrotask(() => cb(err));
      return false;
    }
    return this.send(this.hs.sealApplicationData(typeof data === 'string' ? Buffer.from(data) : data), cb);
  }

  /** Send close_notify and half-close the TCP stream (the server's reply is still read). */
  end(): this {
    if (!this.socket.destroyed) this.sendCloseNotify();
    this.socket.end();
    return this;
  }

  /**
   * Send close_notify and close the TCP connection at once, as a scanner's probe ends: RFC 8446
   * 6.1 lets the closer go without waiting for the peer's close_notify, and zgrab2 and Go's
   * crypto/tls close so. Nothing the server sends afterwards (NewSessionTickets, its own
   * close_notify) is read, decrypted or parsed; the kernel may answer such unread bytes with a
   * reset instead of a FIN, which is the server's concern, never the record's.
   */
  close(): this {
    this.readingOff = true;
    if (!this.socket.destroyed) this.sendCloseNotify();
    closeNow(this.socket);
    return this;
  }

  destroy(): this {
    this.sendFlight();
    this.readingOff = true;
    this.socket.destroy();
    return this;
  }

  /** Our close_notify (none before the handshake completed), with the held flight if any. */
  private sendCloseNotify(): void {
    const alert = this.hs.closeNotify();
    if (alert) this.send(alert);
    else this.sendFlight();
  }

  /** Bytes to the socket, after the handshake's last flight if it is still held. */
  private send(data: Buffer, cb?: WriteCallback): boolean {
    const flight = this.flight;
    this.flight = undefined;
    return this.socket.write(flight ? join2(flight, data) : data, cb);
  }

  /** @internal (sendHeldFlights) */
  sendFlight(): void {
    const flight = this.flight;
    this.flight = undefined;
    if (flight && !this.socket.destroyed) this.socket.write(flight);
  }
}

/**
 * The streams whose flight is held in this turn of the event loop. At the turn's end each flight that
 * nothing took along leaves alone: one setImmediate per turn for every stream, not one per handshake
 * (most flights leave with the dialog's first write or the probe's close_notify, in the same turn).
 */
let heldFlights: TlsStream[] = [];

function holdFlight(stream: TlsStream): void {
  if (heldFlights.length === 0) setImmediate(sendHeldFlights);
  heldFlights.push(stream);
}

function sendHeldFlights(): void {
  const streams = heldFlights;
  heldFlights = [];
  for (const s of streams) s.sendFlight();
}

