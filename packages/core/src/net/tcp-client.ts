import { getSystemErrorName } from 'node:util';
import type { ByteStream } from './byte-stream.js';
import { LeanEmitter } from './lean-emitter.js';
import { libuvTcp, UV_EOF, type ConnectRequest, type LibuvTcp, type TcpHandle, type WriteRequest } from './libuv-tcp.js';

type WriteCallback = (err?: Error | null) => void;

/**
 * Every client reads into this one buffer and copies the bytes out at once
 * (reads are synchronous callbacks), instead of libuv's default of a fresh
 * 64 KiB allocation per read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** The same bytes as a plain Uint8Array: its subarray() is V8's builtin (a Buffer's makes a FastBuffer in node's JS). */
const READ_VIEW = new Uint8Array(READ_BUFFER.buffer, READ_BUFFER.byteOffset, READ_BUFFER.length);

/**
 * Tiny reads: past the first TINY_READ_GRACE reads of a connection, while its
 * reads average under TINY_READ_BYTES, each read is followed by a pause of
 * TINY_READ_PAUSE_MS. A server that sends one byte per segment would otherwise
 * cost a read and a callback per byte, and the kernel a receive per segment
 * (seconds per MiB); in the pause the receive window closes and the server's
 * own kernel joins its writes into full segments (20 ms: 1 MiB in one-byte
 * writes then cost about 40 ms of client CPU, 5 ms about 600 ms). A dialog's
 * few dozen replies or a bulk transfer never meet both conditions.
 */
const TINY_READ_GRACE = 256;
const TINY_READ_BYTES = 1024;
const TINY_READ_PAUSE_MS = 20;

/** An Error shaped like node:net's: code (ECONNREFUSED, ...), errno, syscall. */
export function uvError(status: number, syscall: string, where = ''): NodeJS.ErrnoException {
  let code: string;
  try {
    code = getSystemErrorName(status);
  } catch {
    code = `E${-status}`;
  }
  const err: NodeJS.ErrnoException = new Error(`${syscall} ${code}${where ? ` ${where}` : ''}`);
  err.code = code;
  err.errno = status;
  err.syscall = syscall;
  return err;
}

/**
 * A TCP client on libuv's handle without node:net's stream machinery: the
 * scanner's hot path (one short connection per probe), where net.Socket's
 * Duplex, timers and nextTick hops cost more CPU than a TLS 1.2 census
 * handshake itself (docs/benchmarks.md). Events as net.Socket: 'data',
 * 'end', 'close', 'error'. Reading starts as the connect is issued (one
 * epoll registration); bytes read while paused or with no 'data' listener
 * are held, never dropped, and delivered on resume(), as is an end or read error. On the peer's
 * FIN it emits 'end' and closes (no half-open), as net.Socket does by default.
 * Write callbacks may run synchronously. 'error' is only emitted when
 * someone listens: a scanner's late socket error must not crash the process.
 * Its event methods are LeanEmitter's (on, once, off, emit, listenerCount...), not node's EventEmitter.
 */
export class TcpClient extends LeanEmitter implements ByteStream {
  // Fields declared and set in the constructor in this order (no <instance_members_initializer>; see LeanEmitter).
  private declare readonly uv: LibuvTcp;
  declare destroyed: boolean;
  /** The peer sent FIN. */
  declare peerEnded: boolean;
  private declare ending: boolean;
  private declare flowing: boolean;
  private declare reading: boolean;
  private declare held: Buffer[];
  /** The FIN (UV_EOF) or read error read while paused, delivered on resume(). */
  private declare pendingEnd: number | undefined;
  private declare reads: number;
  private declare bytesRead: number;
  /** Set while reading pauses after tiny reads. */
  private declare tinyReadPause: NodeJS.Timeout | undefined;
  private declare pendingWrites: number;
  private declare needDrain: boolean;
  private declare readonly handle: TcpHandle;

  /** A pending connect's outcome: connectThen()'s callback, or dial()'s promise and deadline. */
  private declare connectDone: ((err?: Error) => void) | undefined;
  private declare dialResolve: ((client: TcpClient) => void) | undefined;
  private declare dialReject: ((err: unknown) => void) | undefined;
  private declare connectTimer: NodeJS.Timeout | undefined;

  constructor(uv: LibuvTcp) {
    super();
    this.uv = uv;
    this.destroyed = false;
    this.peerEnded = false;
    this.ending = false;
    this.flowing = false;
    this.reading = false;
    this.held = [];
    this.pendingEnd = undefined;
    this.reads = 0;
    this.bytesRead = 0;
    this.tinyReadPause = undefined;
    this.pendingWrites = 0;
    this.needDrain = false;
    const handle = uv.newHandle();
    this.handle = handle;
    this.connectDone = undefined;
    this.dialResolve = undefined;
    this.dialReject = undefined;
    this.connectTimer = undefined;
    handle.useUserBuffer(READ_BUFFER);
    // libuv calls onread and the close callback on the handle: module functions that find the client on it (no closures per client).
    (handle as OwnedHandle).client = this;
    handle.onread = onHandleRead;
  }

  /** Connect; rejects with a node:net-style error (ECONNREFUSED, ECANCELED when destroyed first). */
  connect(host: string, port: number, noDelay = true): Promise<void> {
    return new Promise((resolve, reject) => this.connectThen(host, port, noDelay, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * connect() with a callback, called once: with no argument when connected, else with the
   * error (after the client is destroyed). For a caller that makes its own promise.
   */
  connectThen(host: string, port: number, noDelay: boolean, done: (err?: Error) => void): void {
    this.connectDone = done;
    this.startConnect(host, port, noDelay);
  }

  /**
   * Connect within `timeoutMs` (no delay on): resolves to this client; rejects with a node:net-style error,
   * or at the deadline with `timeoutError(timeoutMs)` (the client destroyed). One promise and one timer,
   * and the client's own fields for the rest: a probe's connect (dial.ts).
   */
  dial(host: string, port: number, timeoutMs: number, timeoutError: (ms: number) => Error): Promise<TcpClient> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- handed to the module executor below (no closure per connect), cleared there
    dialClient = this;
    dialHost = host;
    dialPort = port;
    dialMs = timeoutMs;
    dialError = timeoutError;
    return new Promise<TcpClient>(beginDial);
  }

  /** @internal dial()'s promise executor's work. */
  beginDial(resolve: (client: TcpClient) => void, reject: (err: unknown) => void, host: string, port: number, timeoutMs: number, timeoutError: (ms: number) => Error): void {
    this.dialResolve = resolve;
    this.dialReject = reject;
    this.connectTimer = setTimeout(onConnectTimeout, timeoutMs, this, timeoutMs, timeoutError);
    this.startConnect(host, port, true);
  }

  /** @internal every connect (connectThen(), dial()) issues the request here. */
  startConnect(host: string, port: number, noDelay: boolean): void {
    const req = this.uv.newConnectRequest() as OwnedConnectRequest;
    req.address = host;
    req.port = port;
    req.client = this;
    req.noDelay = noDelay;
    req.oncomplete = onConnectComplete;
    const err = host.includes(':') ? this.handle.connect6(req, host, port) : this.handle.connect(req, host, port);
    if (err) {
      this.destroy();
      return this.settleConnect(uvError(err, 'connect', `${host}:${port}`));
    }
    // Read from the start: libuv allows it on a connecting handle, and the socket then enters epoll
    // once for IN|OUT (then IN), instead of OUT for the connect, then after it an ADD for IN that
    // fails with EEXIST and a MOD. Bytes that come before resume() are held, as always.
    this.startReading();
  }

  /** @internal the connect request's completion (libuv status). */
  connectCompleted(req: OwnedConnectRequest, status: number): void {
    if (status < 0 || this.destroyed) {
      this.destroy();
      return this.settleConnect(uvError(status < 0 ? status : -125, 'connect', `${req.address}:${req.port}`));
    }
    if (req.noDelay) this.handle.setNoDelay(true);
    this.settleConnect(undefined);
  }

  /** @internal the connect deadline passed (dial()): destroy, then reject with the caller's error. */
  connectTimedOut(err: Error): void {
    this.connectTimer = undefined;
    this.destroy();
    this.settleConnect(err);
  }

  /** The pending connect's outcome, once (later calls do nothing). */
  private settleConnect(err: Error | undefined): void {
    if (this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
    const done = this.connectDone;
    const resolve = this.dialResolve;
    const reject = this.dialReject;
    this.connectDone = this.dialResolve = this.dialReject = undefined;
    if (done) done(err);
    else if (err) reject?.(err);
    else resolve?.(this);
  }

  /** The local address and port (as node:net's socket.localAddress/localPort). */
  get localPort(): number | undefined {
    return this.sockname().port;
  }

  get localAddress(): string | undefined {
    return this.sockname().address;
  }

  private sockname(): { address?: string; port?: number } {
    const out: { address?: string; port?: number } = {};
    if (!this.destroyed) this.handle.getsockname(out);
    return out;
  }

  /** @internal libuv's read callback (onHandleRead). */
  onRead(): void {
    const n = this.uv.readResult();
    if (n > 0) {
      const chunk = Buffer.allocUnsafe(n);
      chunk.set(READ_VIEW.subarray(0, n), 0);
      this.reads++;
      this.bytesRead += n;
      if (this.flowing && this.hasDataReader()) this.emitData(chunk);
      else this.hold(chunk);
      if (this.reading && this.reads > TINY_READ_GRACE && this.bytesRead < this.reads * TINY_READ_BYTES) this.pauseTinyReads();
      return;
    }
    if (n === 0) return;
    this.stopReading();
    // Reading starts at connect: an end or error read before anyone resumed waits for resume(), like held bytes.
    if (!this.flowing) {
      this.pendingEnd = n;
      return;
    }
    this.readEnded(n);
  }

  /** The peer's FIN (UV_EOF) or a read error: 'end' or 'error', then close. */
  private readEnded(n: number): void {
    if (n === UV_EOF) {
      this.peerEnded = true;
      this.emit('end');
    } else {
      this.emitError(uvError(n, 'read'));
    }
    this.destroy();
  }

  private pauseTinyReads(): void {
    this.stopReading();
    this.tinyReadPause = setTimeout(() => {
      this.tinyReadPause = undefined;
      if (this.flowing) this.resume();
    }, TINY_READ_PAUSE_MS);
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.stopReading();
  }

  private stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.handle.readStop();
  }

  pause(): this {
    // Lazy: the read is stopped only if bytes arrive while paused (saves a syscall per pause/resume pair).
    this.flowing = false;
    return this;
  }

  resume(): this {
    this.flowing = true;
    while (this.held.length && this.flowing && !this.destroyed && this.hasDataReader()) this.emitData(this.held.shift()!);
    if (this.pendingEnd !== undefined) {
      if (this.flowing && !this.held.length && !this.destroyed) {
        const n = this.pendingEnd;
        this.pendingEnd = undefined;
        this.readEnded(n);
      }
      return this;
    }
    if (this.flowing && !this.held.length && !this.peerEnded && !this.tinyReadPause) this.startReading();
    return this;
  }

  private startReading(): void {
    if (this.reading || this.destroyed) return;
    this.reading = true;
    const err = this.handle.readStart();
    if (err) {
      this.reading = false;
      this.emitError(uvError(err, 'read'));
      this.destroy();
    }
  }

  write(data: Buffer | string, cb?: WriteCallback): boolean {
    if (this.destroyed || this.ending) {
      const err = uvError(-32, 'write', this.destroyed ? 'after destroy' : 'after end');
      if (cb) queueMicrotask(() => cb(err));
      return false;
    }
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const req = this.uv.newWriteRequest();
    req.handle = this.handle;
    req.oncomplete = onWriteComplete;
    req.async = false;
    const err = this.handle.writeBuffer(req, buf);
    if (err) {
      const e = uvError(err, 'write');
      if (cb) queueMicrotask(() => cb(e));
      this.emitError(e);
      this.destroy();
      return false;
    }
    if (!this.uv.lastWriteWasAsync()) {
      cb?.();
      return true;
    }
    // Keep the buffer alive until libuv is done with it.
    req.async = true;
    req.buffer = buf;
    req.client = this;
    req.callback = cb;
    this.pendingWrites++;
    this.needDrain = true;
    return false;
  }

  /** @internal called by a write request's oncomplete. */
  afterWrite(req: WriteRequest, status: number): void {
    this.pendingWrites--;
    const cb = req.callback as WriteCallback | undefined;
    if (status < 0) {
      const e = uvError(status, 'write');
      cb?.(e);
      if (!this.destroyed) {
        this.emitError(e);
        this.destroy();
      }
      return;
    }
    cb?.();
    if (this.pendingWrites === 0 && this.needDrain && !this.destroyed) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  /**
   * Half-close after pending writes (FIN). The client closes when the peer's
   * FIN is read, so one that never reads again must still be destroyed.
   */
  end(): this {
    if (this.ending || this.destroyed) return this;
    this.ending = true;
    const req = this.uv.newShutdownRequest();
    req.handle = this.handle;
    req.oncomplete = () => {
      if (this.peerEnded) this.destroy();
    };
    if (this.handle.shutdown(req)) this.destroy();
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.reading = false;
    this.held = [];
    if (this.tinyReadPause) clearTimeout(this.tinyReadPause);
    this.handle.close(onHandleClose);
    return this;
  }

  private emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** The handle and connect request carry their client: libuv's callbacks find it there (`this` is the handle or request). */
type OwnedHandle = TcpHandle & { client?: TcpClient };
type OwnedConnectRequest = ConnectRequest & { client?: TcpClient; noDelay?: boolean };

function onHandleRead(this: OwnedHandle): void {
  this.client!.onRead();
}

function onHandleClose(this: OwnedHandle): void {
  this.client!.emit('close');
}

function onConnectComplete(this: OwnedConnectRequest, status: number): void {
  this.client!.connectCompleted(this, status);
}

/*
 * dial()'s promise executor is a module function, not a closure per connect: an executor runs at
 * once, inside `new Promise`, so dial() hands it its arguments through these (cleared before use).
 */
let dialClient: TcpClient | undefined;
let dialHost = '';
let dialPort = 0;
let dialMs = 0;
let dialError: ((ms: number) => Error) | undefined;

function beginDial(resolve: (client: TcpClient) => void, reject: (err: unknown) => void): void {
  const client = dialClient!;
  const timeoutError = dialError!;
  dialClient = undefined;
  dialError = undefined;
  client.beginDial(resolve, reject, dialHost, dialPort, dialMs, timeoutError);
}

function onConnectTimeout(client: TcpClient, ms: number, timeoutError: (ms: number) => Error): void {
  client.connectTimedOut(timeoutError(ms));
}

function onWriteComplete(this: WriteRequest, status: number): void {
  (this.client as TcpClient).afterWrite(this, status);
}

/** Whether this Node exposes the handle TcpClient needs. */
export const tcpClientAvailable = libuvTcp !== undefined;

/** A new, unconnected TcpClient; throws when the handle is unavailable (check tcpClientAvailable). */
export function newTcpClient(): TcpClient {
  if (!libuvTcp) throw new Error('libuv TCP handles are not available in this Node version');
  return new TcpClient(libuvTcp);
}
