import { closeSync, createWriteStream, openSync } from 'node:fs';
import { WildtlsError } from '../errors.js';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { ProbeRecord } from '../record/record-schema.js';
import { recordLine } from '../record/record-line.js';
import type { Sink } from './sink.js';

export interface JsonlSinkSettings {
  /** File path, or "-" for stdout. */
  path: string;
  /** Gzip the output (default: when the path ends in .gz). */
  gzip?: boolean;
  /** Append to an existing file (used by --resume). */
  append?: boolean;
}

/** Lines are handed to the stream in batches of about this many bytes... */
const BATCH_BYTES = 256 * 1024;
/** ...or this long after the first line of a batch, whichever comes first (a slow scan's output still shows up). */
const BATCH_MS = 200;
/** Written batch buffers kept for reuse. */
const SPARES = 4;

/**
 * One JSON object per line, to a file or stdout, optionally gzipped. Lines are
 * batched (one stream write, hence one write(2), per ~256 KiB instead of one per
 * record) and the stream's backpressure is honoured; a batch buffer the stream has
 * written is filled again (at most a few kept). Each line is encoded as
 * UTF-8 straight into the batch's buffer (no string of the batch is built and
 * encoded again when it is written). `flush` and `close` hand the pending
 * batch over first, so a checkpoint never counts a line that is still in memory.
 */
export class JsonlSink implements Sink {
  private readonly out: Writable;
  private readonly file: Writable | undefined;
  /** The batch being filled: `used` bytes of `batch` (a new buffer after each hand-over: the stream keeps the old one until written). */
  private batch: Buffer = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  /** Batch buffers the stream has written, to fill again (fresh memory per batch costs page faults and garbage collections). */
  private readonly spare: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Set while the stream is over its high-water mark (a timer-pushed batch may have filled it). */
  private drained: Promise<unknown> | undefined;
  /** stdout's reader went away (EPIPE: `wildtls scan ... | head -1`): records are dropped from then on. */
  private readerGone = false;
  private streamError: Error | undefined;
  private markGone!: () => void;
  /** Resolves when stdout's reader goes away (a pending drain never comes then). */
  private readonly gone = new Promise<void>((resolve) => (this.markGone = resolve));
  private readonly onStdoutError: ((err: NodeJS.ErrnoException) => void) | undefined;

  /** `onReaderGone`: called once when stdout's reader closes the pipe (the CLI stops admission then). */
  constructor(settings: JsonlSinkSettings, private readonly stdout: Writable = process.stdout, onReaderGone?: () => void) {
    const gzip = settings.gzip ?? settings.path.endsWith('.gz');
    if (settings.path !== '-') openOrExplain(settings.path, settings.append ? 'a' : 'w');
    this.file = settings.path === '-' ? undefined : createWriteStream(settings.path, { flags: settings.append ? 'a' : 'w' });
    const target = this.file ?? stdout;
    if (!this.file) {
      this.onStdoutError = (err) => {
        // Another error fails the next write or flush (a listener must not throw: that would be uncaught).
        if (err.code !== 'EPIPE') {
          this.streamError ??= err;
          return;
        }
        if (this.readerGone) return;
        this.readerGone = true;
        this.used = 0;
        this.markGone();
        onReaderGone?.();
      };
      stdout.on('error', this.onStdoutError);
    }
    if (gzip) {
      const z = createGzip();
      z.pipe(target);
      this.out = z;
    } else {
      this.out = target;
    }
  }

  /**
   * The record's line goes into the batch before this returns; a promise only when the stream is to
   * be waited for (over its high-water mark): then the next write waits. Nothing to wait for returns
   * nothing, so a caller that awaits only what it is given handles each record at once (the record
   * dies young, not promoted by the garbage collector while queued).
   */
  write(record: ProbeRecord): Promise<void> | undefined {
    if (this.streamError) return Promise.reject(this.streamError);
    if (this.drained) return this.waitDrain().then(() => this.add(record));
    return this.add(record);
  }

  private add(record: ProbeRecord): Promise<void> | undefined {
    if (this.readerGone) return undefined;
    this.append(recordLine(record));
    if (this.used >= BATCH_BYTES) this.push();
    else this.timer ??= setTimeout(() => this.push(), BATCH_MS).unref();
    return this.drained ? this.waitDrain() : undefined;
  }

  /** A stream error fails the write, except stdout's reader going away (a drain that never comes then). */
  private async waitDrain(): Promise<void> {
    const drained = this.drained!;
    await Promise.race([drained, this.gone]).catch((err) => {
      if (!this.readerGone) throw err;
    });
    if (this.readerGone) this.drained = undefined;
  }

  /** The line and its newline, UTF-8, at the end of the batch (handed over first when the line might not fit). */
  private append(line: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4); and the newline.
    const most = line.length * 3 + 1;
    if (this.used + most > this.batch.length) {
      this.push();
      if (most > this.batch.length) this.batch = Buffer.allocUnsafe(most);
    }
    this.used += this.batch.write(line, this.used, 'utf8');
    this.batch[this.used++] = 0x0a;
  }

  /** Hand the pending batch to the stream. */
  private push(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.readerGone) this.used = 0;
    if (this.used === 0) return;
    const full = this.batch;
    const chunk = full.subarray(0, this.used);
    this.batch = this.spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    // The stream is done with the chunk when its callback comes: the buffer is filled again then.
    const written = full.length === BATCH_BYTES && this.spare.length < SPARES ? () => this.spare.push(full) : undefined;
    if (!this.out.write(chunk, written) && !this.drained) {
      const drained = once(this.out, 'drain').finally(() => (this.drained = undefined));
      // A stream error rejects it: the next write or flush throws; unawaited, it must not crash the process.
      drained.catch(() => {});
      this.drained = drained;
    }
  }

  /** Resolves when everything written so far is in the file (or handed to stdout). */
  async flush(): Promise<void> {
    if (this.streamError) throw this.streamError;
    this.push();
    if (this.readerGone) return;
    const target = this.file ?? this.stdout;
    if (this.out !== target) {
      // Gzip: push out what the compressor holds, then let the pipe hand it to the file.
      await new Promise<void>((resolve) => (this.out as unknown as { flush(cb: () => void): void }).flush(() => resolve()));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (target === process.stdout) return;
    // Writes complete in order: the callback of an empty write comes after every earlier one.
    // stdout's reader may go away during this flush's own batch: no failure (the error listener, called next, says so).
    const readerGone = (err: Error) => this.readerGone || (this.onStdoutError !== undefined && (err as NodeJS.ErrnoException).code === 'EPIPE');
    await new Promise<void>((resolve, reject) => target.write('', (err) => (err && !readerGone(err) ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    this.push();
    // Left in place after an EPIPE: a late write to the closed pipe must not become an uncaught error.
    if (this.onStdoutError && !this.readerGone) this.stdout.off('error', this.onStdoutError);
    if (this.out === process.stdout || this.readerGone) return;
    const finished = this.file ? once(this.file, 'close') : once(this.out, 'finish');
    this.out.end();
    await finished;
  }
}

/**
 * Open the output once, synchronously, before the scan starts: a path that
 * cannot be written (no such folder, no permission, a folder) is a usage
 * error naming it, not an unhandled stream error after the first probe.
 */
function openOrExplain(path: string, flags: 'a' | 'w'): void {
  try {
    closeSync(openSync(path, flags));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot write the output ${path}: ${why}`);
  }
}
