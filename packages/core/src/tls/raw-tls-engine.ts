import type { ByteStream } from '../net/byte-stream.js';
import type { StreamSink } from '../net/lean-emitter.js';
import { hearStream, stopHearing, type SinkListeners } from '../net/hear-stream.js';
import type { ByteBudget } from '../net/byte-budget.js';
import type { HandshakeDeadline, HandshakeExpiry, TlsEngine, TlsHandshakeOptions, TlsHandshakeResult } from './engine.js';
import { ClientHandshake, type ClientHandshakeOptions } from './client-handshake.js';
import { profileOf } from './profiles.js';
import { TlsStream } from './tls-stream.js';
import { TlsFailure } from './tls-failure.js';
import type { TlsLimits } from './limits.js';

/**
 * The wildtls TLS engine, written from the bytes up (node:crypto for
 * primitives only). I/O edge around the pure ClientHandshake state machine:
 * per-read deadline, byte cap, probe deadline (an abort signal, or the lighter `deadline`),
 * reset/close classification.
 * `limits` overrides the caps of limits.ts (the defaults suit a scan; the
 * hostile-input benchmark lifts them to show the code under them is linear).
 */
export class RawTlsEngine implements TlsEngine {
  readonly name = 'raw';
  readonly watchesDeadline = true;

  constructor(private readonly options: { limits?: Partial<TlsLimits> } = {}) {}

  handshake(socket: ByteStream, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
    const t0 = performance.now();
    // One shape for every handshake (absent options are undefined, as ClientHandshake reads them),
    // built from `{}`: the handshake keeps it for the probe's life, and a literal with keys has an
    // allocation site V8 turns to "tenure" mid-scan, throwing away the code that inlined it.
    const hsOptions = {} as ClientHandshakeOptions;
    hsOptions.serverName = options.serverName;
    hsOptions.alpn = options.alpn;
    hsOptions.observeOnly = options.observeOnly;
    hsOptions.keyShareReuse = options.keyShareReuse;
    hsOptions.limits = this.options.limits;
    const hs = new ClientHandshake(profileOf(options.profile), hsOptions);
    startSocket = socket;
    startOptions = options;
    startHs = hs;
    startT0 = t0;
    return new Promise<TlsHandshakeResult>(beginHandshake);
  }
}

/*
 * handshake()'s promise executor is a module function, not a closure per handshake: an executor runs
 * at once, inside `new Promise`, so handshake() hands it its arguments through these (cleared before
 * the handshake begins, so nothing is kept).
 */
let startSocket: ByteStream | undefined;
let startOptions: TlsHandshakeOptions | undefined;
let startHs: ClientHandshake | undefined;
let startT0 = 0;

function beginHandshake(resolve: (r: TlsHandshakeResult) => void): void {
  const io = new HandshakeIo(startSocket!, startOptions!, startHs!, startT0, resolve);
  startSocket = undefined;
  startOptions = undefined;
  startHs = undefined;
  io.begin();
}

/**
 * One handshake's I/O: its state and handlers as one object with prototype methods, not a cluster
 * of closures per handshake. It is the socket's StreamSink where the socket is a core LeanEmitter
 * whose sink slot is free (the lean TcpClient: no listener added or removed), its listener
 * closures otherwise (node:net, any ByteStream); the probe's HandshakeDeadline calls its onExpire.
 */
class HandshakeIo implements StreamSink, HandshakeExpiry {
  // Fields declared and set in the constructor in this order (no <instance_members_initializer> of their own).
  private declare readonly socket: ByteStream;
  private declare readonly options: TlsHandshakeOptions;
  private declare readonly hs: ClientHandshake;
  private declare readonly t0: number;
  private declare readonly resolve: (r: TlsHandshakeResult) => void;
  private declare settled: boolean;
  private declare received: number;
  private declare timer: NodeJS.Timeout | undefined;
  /** The listeners, on a socket that takes no sink. */
  private declare listeners: SinkListeners | undefined;
  private declare readonly budget: ByteBudget | undefined;
  private declare readonly deadline: HandshakeDeadline | undefined;
  /**
   * The deadline's end of this handshake as a function: the signal's listener, or `deadline.onExpire`
   * for a deadline without `expiring` (made only then; a probe's deadline calls this object's onDeadline()).
   */
  private declare readonly expire: (() => void) | undefined;

  constructor(socket: ByteStream, options: TlsHandshakeOptions, hs: ClientHandshake, t0: number, resolve: (r: TlsHandshakeResult) => void) {
    this.socket = socket;
    this.options = options;
    this.hs = hs;
    this.t0 = t0;
    this.resolve = resolve;
    this.settled = false;
    this.received = 0;
    this.timer = undefined;
    this.listeners = undefined;
    this.budget = options.budget;
    this.deadline = options.deadline;
    this.expire = options.signal || (options.deadline && !('expiring' in options.deadline)) ? () => this.onAbort() : undefined;
  }

  begin(): void {
    const { options, deadline, socket } = this;
    if (options.signal?.aborted || deadline?.expired) return this.onAbort();
    options.signal?.addEventListener('abort', this.expire!, ONCE);
    if (deadline) {
      if ('expiring' in deadline) deadline.expiring = this;
      else deadline.onExpire = this.expire;
    }
    this.listeners = hearStream(socket, this);
    try {
      this.hs.start();
    } catch (e) {
      this.hs.failWith(e);
    }
    this.step();
    if (this.settled) return;
    this.armTimer();
    if (options.initialData?.length) this.onBytes(options.initialData, false);
    if (!this.settled) socket.resume();
  }

  /** One timer per handshake, re-armed by refresh() on each read (cheaper than a new timer per chunk). */
  private armTimer(): void {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(onReadTimeout, this.options.readTimeoutMs, this);
  }

  private cleanup(): void {
    if (this.timer) clearTimeout(this.timer);
    const { socket, listeners } = this;
    stopHearing(socket, this, listeners);
    if (this.options.signal) this.options.signal.removeEventListener('abort', this.expire!);
    const deadline = this.deadline;
    if (deadline) {
      if ('expiring' in deadline) deadline.expiring = undefined;
      else deadline.onExpire = undefined;
    }
  }

  /** `flight`: our last handshake flight (Finished), not written yet: the TLS stream sends it with what follows. */
  private finish(flight?: Buffer): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    const { hs, socket } = this;
    hs.info.handshakeMs = Math.round((performance.now() - this.t0) * 1000) / 1000;
    if (hs.info.completed && hs.state === 'done') {
      socket.pause();
      const stream = new TlsStream(socket, hs, this.budget, flight);
      this.resolve({ info: hs.info, stream });
      return;
    }
    // A late error on the dead socket must not become an uncaught exception.
    socket.on('error', ignoreError);
    socket.destroy();
    this.resolve({ info: hs.info, ...(hs.failure?.kind === 'internal' ? { internalError: hs.failure.cause } : {}) });
  }

  fail(kind: 'timeout' | 'reset' | 'closed' | 'protocol', message: string): void {
    if (this.settled) return;
    this.hs.failWith(new TlsFailure(kind, message));
    this.finish();
  }

  private step(): void {
    const { hs, socket } = this;
    const out = hs.drain();
    // The flight that completes the handshake waits for the caller's first write (see TlsStream).
    if (hs.state === 'done' && hs.info.completed) return this.finish(out);
    if (out && !socket.destroyed) socket.write(out);
    if (hs.state !== 'running') this.finish();
  }

  /**
   * With a budget, bytes read from the socket are charged to it (initialData was charged by whoever read it);
   * without one, everything the handshake sees counts against maxBytes.
   */
  private overCap(chunk: Buffer, fromSocket: boolean): string | undefined {
    const { budget } = this;
    if (budget) {
      if (!fromSocket || budget.charge(chunk.length)) return undefined;
      return `server sent more than ${budget.limit} bytes in this probe (the per-probe byte cap), passed during the handshake`;
    }
    this.received += chunk.length;
    return this.received > this.options.maxBytes ? `server sent more than ${this.options.maxBytes} bytes during the handshake` : undefined;
  }

  private onBytes(chunk: Buffer, fromSocket: boolean): void {
    const over = this.overCap(chunk, fromSocket);
    if (over) return this.fail('protocol', over);
    this.armTimer();
    this.hs.feed(chunk);
    this.step();
  }

  onStreamData(chunk: Buffer): void {
    this.onBytes(chunk, true);
  }

  onStreamEnd(): void {
    this.fail('closed', 'server closed the connection during the handshake');
  }

  onStreamClose(): void {
    this.onStreamEnd();
  }

  onStreamError(err: NodeJS.ErrnoException): void {
    this.fail(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed', `socket error: ${err.code ?? err.message}`);
  }

  readTimedOut(): void {
    this.fail('timeout', `no reply within ${this.options.readTimeoutMs} ms`);
  }

  onAbort(): void {
    this.fail('timeout', 'probe deadline passed during the handshake');
  }

  /** HandshakeExpiry: the probe deadline passed. */
  onDeadline(): void {
    this.onAbort();
  }
}

function onReadTimeout(io: HandshakeIo): void {
  io.readTimedOut();
}

function ignoreError(): void {}

/** addEventListener's options, one object for every handshake. */
const ONCE = Object.freeze({ once: true });
