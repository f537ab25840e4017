import { closeNow, type ByteStream } from './byte-stream.js';
import { ByteBudget } from './byte-budget.js';
import { ByteQueue } from './byte-queue.js';
import { hearStream, stopHearing, type SinkListeners } from './hear-stream.js';
import type { StreamSink } from './lean-emitter.js';
import { ProbeError, errorToStatus } from '../record/status.js';
import { TlsFailure } from '../tls/tls-failure.js';

export interface ReadLimits {
  /** Deadline for this read, in ms. */
  timeoutMs?: number;
  /** Byte cap for this read (a line, a chunk, a reply). */
  maxBytes?: number;
}

export interface ConnectionLimits {
  readTimeoutMs: number;
  maxLineBytes: number;
  /** Cap on every byte received over the connection's life (when no `budget` is given). */
  maxTotalBytes: number;
  /**
   * The probe's one byte budget, shared with the TLS engine and the TLS stream: the connection then
   * charges only the socket it was created on, since whoever reads the raw socket after a
   * TLS upgrade charges it (decrypted bytes are never charged twice). Without one, the connection
   * counts everything it reads, decrypted bytes included, against maxTotalBytes.
   */
  budget?: ByteBudget;
}

/**
 * waitFor's promise executor, one function for every wait (no closure made per wait): it hands the
 * promise's resolve to the connection in `waiting`, set right before (an executor runs at once).
 */
let waiting: Connection | undefined;
function setWaiter(resolve: () => void): void {
  waiting!.setWaiter(resolve);
  waiting = undefined;
}

/** Connection.send()'s states. */
const SEND_IDLE = 0;
const SEND_PENDING = 1;
const SEND_DONE = 2;
const SEND_FAILED = 3;

/**
 * A byte stream with the reads a dialog needs, each with a deadline and a byte
 * cap. Every failure is a ProbeError with a classified status. Received bytes
 * wait in a ByteQueue (never joined per chunk), and a line search resumes
 * where the last one stopped, so reading costs linear time in the bytes
 * received however the server splits them.
 */
export class Connection implements StreamSink {
  // Every field is declared here and set in the constructor, none initialized in the class body (nor
  // made by a constructor parameter property): a class body with field initializers gets its own
  // `<instance_members_initializer>` function, which one connection per probe makes hot and TurboFan
  // compiles on its own; the constructor is compiled anyway.
  private declare stream: ByteStream;
  declare readonly limits: ConnectionLimits;
  private declare readonly buf: ByteQueue;
  /** Bytes at the front of `buf` already searched for a line feed. */
  private declare scanned: number;
  private declare ended: boolean;
  /** close() was called: reads fail at once. */
  private declare closed: boolean;
  private declare failure: Error | undefined;
  private declare waiter: (() => void) | undefined;
  private declare received: number;
  private declare readonly budget: ByteBudget;
  /** Whether bytes from the current stream are charged here (see ConnectionLimits.budget). */
  private declare charging: boolean;
  /**
   * How the connection hears its stream: as the stream's sink (a core LeanEmitter: the lean socket,
   * a TlsStream; no closure made, nothing added or removed per event) when its slot is free, else by
   * listeners made at the first such stream (node:net, node:tls, any other ByteStream).
   */
  private declare sunk: boolean;
  private declare listeners: SinkListeners | undefined;
  /** The read deadline (armDeadline()): one timer per connection, its length, and whether it fired since it was armed. */
  private declare timer: NodeJS.Timeout | undefined;
  private declare timerMs: number;
  private declare timedOut: boolean;
  private declare readonly onTimeout: () => void;
  /** send(): whether a write is under way (SEND_PENDING), done (SEND_DONE, SEND_FAILED and its error) or none. */
  private declare sending: number;
  private declare sendError: Error | undefined;
  /** send()'s promise's settle function, while a write's callback is pending past its write(). */
  private declare sendSettle: ((err: Error | null | undefined) => void) | undefined;
  /** The stream's write callback for every send(). */
  private declare readonly onSent: (err?: Error | null) => void;
  /** readLines(): the reply's lines so far, its end check and its line cap. */
  private declare replyLines: string[] | undefined;
  private declare replyIsLast: ((line: string, index: number, lines: readonly string[]) => boolean) | undefined;
  private declare replyMaxLines: number;
  /** readLines() took a line in this wait's loop: the next wait re-arms the deadline. */
  private declare lineTaken: boolean;

  /**
   * `chargeStream` false: `stream` is a TLS stream over a socket whose raw bytes its reader charges
   * to `limits.budget` already (a connection made after an implicit handshake), as after attach().
   */
  constructor(stream: ByteStream, limits: ConnectionLimits, chargeStream = true) {
    this.stream = stream;
    this.limits = limits;
    this.buf = new ByteQueue();
    this.scanned = 0;
    this.ended = false;
    this.closed = false;
    this.failure = undefined;
    this.waiter = undefined;
    this.received = 0;
    this.budget = limits.budget ?? new ByteBudget(limits.maxTotalBytes);
    this.charging = chargeStream || !limits.budget;
    this.sunk = false;
    this.listeners = undefined;
    this.timer = undefined;
    this.timerMs = 0;
    this.timedOut = false;
    this.onTimeout = () => {
      this.timedOut = true;
      this.wake();
    };
    this.replyLines = undefined;
    this.replyIsLast = undefined;
    this.replyMaxLines = 0;
    this.lineTaken = false;
    this.sending = SEND_IDLE;
    this.sendError = undefined;
    this.sendSettle = undefined;
    this.onSent = (err) => {
      const settle = this.sendSettle;
      if (settle) {
        this.sendSettle = undefined;
        this.sending = SEND_IDLE;
        settle(err);
      } else if (err) {
        this.sending = SEND_FAILED;
        this.sendError = err;
      } else {
        this.sending = SEND_DONE;
      }
    };
    this.listen();
    stream.resume();
  }

  /** Bytes received so far (for byte caps and statistics). */
  get bytesReceived(): number {
    return this.received;
  }

  /** @internal StreamSink (or the 'data' listener): the stream's bytes. */
  onStreamData(chunk: Buffer): void {
    // After close() (kept as the sink, for its 'error'): nothing more is read.
    if (this.closed) return;
    this.received += chunk.length;
    this.buf.push(chunk);
    if (this.charging && !this.budget.charge(chunk.length)) {
      this.failure = new ProbeError('protocol-error', 'reply-too-large', `server sent more than ${this.budget.limit} bytes`);
      this.stream.pause();
    }
    this.wake();
  }

  /** @internal StreamSink ('end' and 'close' alike). */
  onStreamEnd(): void {
    if (this.closed) return;
    this.ended = true;
    this.wake();
  }

  /** @internal StreamSink */
  onStreamClose(): void {
    this.onStreamEnd();
  }

  /** @internal StreamSink: kept after close(), so a late error on the stream never throws. */
  onStreamError(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  /** Hear the current stream (hearStream: its sink slot, else listeners made once per connection). */
  private listen(): void {
    const l = hearStream(this.stream, this, this.listeners);
    this.sunk = l === undefined;
    if (l) this.listeners = l;
  }

  private unlisten(): void {
    stopHearing(this.stream, this, this.sunk ? undefined : this.listeners);
    this.sunk = false;
  }

  /** @internal waitFor's executor (setWaiter) hands over its promise's resolve. */
  setWaiter(resolve: () => void): void {
    this.waiter = resolve;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /**
   * Stop reading from the current stream and hand it over (for a TLS upgrade).
   * Returns any bytes already buffered but not consumed: undefined when there are none (the usual
   * case: a STARTTLS dialog refuses bytes after the go-ahead), not an empty Buffer made per upgrade.
   */
  detach(): { stream: ByteStream; leftover: Buffer | undefined } {
    this.unlisten();
    this.stream.pause();
    const leftover = this.buf.length > 0 ? this.buf.takeAll() : undefined;
    this.scanned = 0;
    return { stream: this.stream, leftover };
  }

  /** Continue on a new stream (the decrypted TLS stream after an upgrade). */
  attach(stream: ByteStream): void {
    this.stream = stream;
    this.charging = !this.limits.budget;
    this.ended = false;
    this.failure = undefined;
    this.listen();
    stream.resume();
  }

  write(data: string | Buffer): Promise<void> {
    // Not an async function: the one promise is the write's own (a throw in the executor rejects it, as before).
    if (this.failure) return Promise.reject(this.classify(this.failure));
    return new Promise<void>((resolve, reject) => {
      this.stream.write(data, (err) => (err ? reject(this.classify(err)) : resolve()));
    });
  }

  /**
   * write() for a dialog that awaits each write before its next step: undefined when the stream
   * took the bytes at once (its callback ran, without an error, before its write() returned: the
   * lean socket's and the TLS stream's usual case), else the write's promise, to await as write()'s
   * (rejected as write()'s would be). No promise, no closure and no await per command in the usual
   * case, where write() made a promise and two closures and its caller's await a turn. Its one
   * callback is the connection's; while a send's promise is pending, the next send is a write().
   */
  send(data: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.classify(this.failure));
    if (this.sending !== SEND_IDLE) return this.write(data);
    this.sending = SEND_PENDING;
    try {
      this.stream.write(data, this.onSent);
    } catch (err) {
      // As write()'s executor: the throw rejects, unclassified.
      this.sending = SEND_IDLE;
      return Promise.reject(err as Error);
    }
    const state = this.sending;
    if (state === SEND_PENDING) {
      // The callback comes later (the kernel's buffer was full, or a node:net socket): it settles this promise.
      return new Promise<void>((resolve, reject) => {
        this.sendSettle = (err) => (err ? reject(this.classify(err)) : resolve());
      });
    }
    this.sending = SEND_IDLE;
    if (state === SEND_FAILED) {
      const err = this.sendError!;
      this.sendError = undefined;
      return Promise.reject(this.classify(err));
    }
    return undefined;
  }

  /**
   * Read one line (LF-terminated; CR stripped). Fails on a line over the cap. Not an async function:
   * the read's one async frame is waitFor's, which takes a line already buffered at once.
   */
  readLine(limits: ReadLimits = {}): Promise<string> {
    return this.waitFor(Connection.lineOf, limits.maxBytes ?? this.limits.maxLineBytes, limits);
  }

  /**
   * The next line when it is already buffered, as readLine would return it, else undefined: no
   * wait, no promise. A reply reader takes the lines that came with the first one this way (a
   * whole multi-line reply usually arrives in one read). Throws line-too-long as readLine does.
   */
  takeLine(maxBytes: number = this.limits.maxLineBytes): string | undefined {
    const idx = this.lineEnd(maxBytes);
    return idx === undefined ? undefined : this.takeLineAt(idx);
  }

  /** Remove the line whose LF is at `idx` and return its text, CR stripped. */
  private takeLineAt(idx: number): string {
    this.scanned = 0;
    return this.buf.takeLine(idx + 1);
  }

  /** Index of the buffered line's LF, or undefined while there is none; throws past `max`. */
  private lineEnd(max: number): number | undefined {
    // Bytes before `scanned` hold no line feed: only the new ones are searched.
    const i = this.buf.indexOf(0x0a, this.scanned);
    if (i >= 0 && i <= max) return i;
    if (i > max || (i < 0 && this.buf.length > max)) {
      throw new ProbeError('protocol-error', 'line-too-long', `line longer than ${max} bytes`);
    }
    this.scanned = this.buf.length;
    return undefined;
  }

  /** Read whatever is available (at least one byte, at most maxBytes). */
  readChunk(limits: ReadLimits = {}): Promise<Buffer> {
    return this.waitFor(Connection.chunkOf, limits.maxBytes ?? 16384, limits);
  }

  /**
   * Read lines until `isLast(line, index, lines)` says the reply is complete (core's readReply):
   * each line with its own byte cap and, when it waits, its own deadline, as readLine's; the reply
   * capped at `maxLines` (reply-too-large). The lines already buffered are taken without a wait, and
   * the whole reply is one read: one async frame, where a readLine per waiting line made two more.
   */
  readLines(isLast: (line: string, index: number, lines: readonly string[]) => boolean, maxLines: number, limits: ReadLimits = {}): Promise<string[]> {
    this.replyLines = [];
    this.replyIsLast = isLast;
    this.replyMaxLines = maxLines;
    return this.waitFor(Connection.linesOf, limits.maxBytes ?? this.limits.maxLineBytes, limits);
  }

  /** waitFor's take for readLines: the reply's lines once its last one is in, else undefined (the lines so far kept). */
  private static linesOf(this: void, c: Connection, max: number): string[] | undefined {
    const lines = c.replyLines!;
    for (;;) {
      const line = c.takeLine(max);
      if (line === undefined) return undefined;
      lines.push(line);
      // A line came: the next one that waits gets a whole deadline of its own (waitFor re-arms).
      c.lineTaken = true;
      if (c.replyIsLast!(line, lines.length - 1, lines)) {
        c.replyLines = undefined;
        c.replyIsLast = undefined;
        return lines;
      }
      if (lines.length >= c.replyMaxLines) {
        throw new ProbeError('protocol-error', 'reply-too-large', `reply longer than ${c.replyMaxLines} lines`);
      }
    }
  }

  /** waitFor's take for readLine: `c`'s next buffered line (capped at `max`), or undefined. */
  private static lineOf(this: void, c: Connection, max: number): string | undefined {
    return c.takeLine(max);
  }

  /** waitFor's take for readChunk: up to `max` of `c`'s buffered bytes, or undefined while there are none. */
  private static chunkOf(this: void, c: Connection, max: number): Buffer | undefined {
    if (c.buf.length === 0) return undefined;
    const n = Math.min(max, c.buf.length);
    const out = c.buf.take(n);
    c.scanned = Math.max(0, c.scanned - n);
    return out;
  }

  /** True when unread bytes are waiting (pipelined or injected data). */
  hasBuffered(): boolean {
    return this.buf.length > 0;
  }

  /**
   * `take(this, max)` (a static function: no closure made per read) until it returns a value, waiting
   * for bytes between tries, under the read's deadline. Its throws (line-too-long) reject the read.
   */
  private async waitFor<T>(take: (c: Connection, max: number) => T | undefined, max: number, limits: ReadLimits): Promise<T> {
    const timeoutMs = limits.timeoutMs ?? this.limits.readTimeoutMs;
    // One deadline per read, not one per chunk: a server that sends its reply in many small pieces wakes us often.
    let armed = false;
    this.lineTaken = false;
    try {
      for (;;) {
        const v = take(this, max);
        if (v !== undefined) return v;
        if (this.lineTaken) {
          // readLines took a line and waits for the next: a whole deadline of its own, as a readLine per line had.
          this.lineTaken = false;
          if (armed) this.armDeadline(timeoutMs);
        }
        if (this.failure) throw this.classify(this.failure);
        if (this.closed) throw new ProbeError('protocol-error', 'connection-closed', 'the probe closed the connection');
        if (this.ended) throw new ProbeError('protocol-error', 'connection-closed', 'server closed the connection');
        if (armed && this.timedOut) throw new ProbeError('timeout', 'read-timeout', `no complete reply within ${timeoutMs} ms`);
        if (!armed) {
          this.armDeadline(timeoutMs);
          armed = true;
        }
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- handed to the shared executor, which runs at once and forgets it
        waiting = this;
        await new Promise<void>(setWaiter);
      }
    } finally {
      this.waiter = undefined;
      // Between reads the armed timer must not keep the process alive (a connection dropped without close()).
      if (armed) this.timer?.unref();
    }
  }

  /**
   * Start a read's deadline: the connection's one timer, re-armed (refresh()) for each read that
   * waits, where a timer made and cleared per read cost a Timeout object and its async resource
   * each time. A read that ends leaves it armed: if it fires between reads it finds no waiter, and
   * the next read re-arms it (timedOut reset). close() clears it.
   */
  private armDeadline(ms: number): void {
    this.timedOut = false;
    const t = this.timer;
    if (t !== undefined && this.timerMs === ms) {
      t.ref().refresh();
      return;
    }
    clearTimeout(t);
    this.timer = setTimeout(this.onTimeout, ms);
    this.timerMs = ms;
  }

  /** Clear the deadline's timer and forget it (a cleared Timeout cannot be re-armed by refresh()). */
  private stopDeadline(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private classify(err: Error): Error {
    if (err instanceof ProbeError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof TlsFailure && err.kind === 'internal') {
      return new ProbeError('internal-error', 'internal', `after the TLS handshake: ${err.message}`, { cause: err });
    }
    // The server broke the TLS session after the handshake (a forged or oversized record, bytes that are
    // not TLS): the raw engine's TlsFailure, or node:tls's ERR_SSL_* under NodeTlsEngine.
    if (err instanceof TlsFailure || code?.startsWith('ERR_SSL_')) {
      return new ProbeError('protocol-error', 'tls-protocol', `after the TLS handshake: ${err.message}`, { cause: err });
    }
    const mapped = errorToStatus(err);
    if (mapped.status !== 'internal-error') return new ProbeError(mapped.status, mapped.reason, mapped.message, { cause: err });
    // A write to a stream the server already ended (node streams say so with these codes, ours without one).
    if (code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END' || this.ended || this.stream.destroyed) {
      return new ProbeError('protocol-error', 'connection-closed', `server closed the connection: ${err.message}`, { cause: err });
    }
    // Anything else is our own bug, never the server's doing.
    return new ProbeError('internal-error', 'internal', err.message, { cause: err });
  }

  /** Half-close our side (TLS: close_notify, then FIN) and keep reading the server's end; never throws. */
  end(): void {
    try {
      this.stream.end();
    } catch {
      /* already gone */
    }
  }

  /**
   * The probe's end: close at once, never throws. Over TLS, close_notify then close; in plain
   * text (no TLS, or STARTTLS refused), close. No half-close and no wait for the server's FIN:
   * the dialog has said its goodbye (QUIT, LOGOUT, </stream:stream>) and read what it wanted,
   * so nothing the server sends afterwards can change the record (see closeNow()). A read still
   * waiting (a dialog past the probe deadline) fails at once with connection-closed.
   */
  close(): void {
    // Its 'error' listener (or its sink) stays: a stream closing in the background may still emit
    // one (a reset), which with no listener would crash the scanner. As a sink it ignores the rest.
    if (!this.sunk && this.listeners) stopHearing(this.stream, this, this.listeners, KEEP_ERROR);
    // A flag, not an Error made per probe (its stack trace costs more than the close): waitFor() throws.
    this.closed = true;
    this.stopDeadline();
    this.wake();
    closeNow(this.stream);
  }

  destroy(): void {
    this.stopDeadline();
    this.stream.destroy();
  }
}

/** close() leaves the 'error' listener on the stream (see there). */
const KEEP_ERROR = true;
