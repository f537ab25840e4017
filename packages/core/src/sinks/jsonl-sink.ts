import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { ProbeRecord } from '../record/record-schema.js';
import type { Sink } from './sink.js';

export interface JsonlSinkSettings {
  /** File path, or "-" for stdout. */
  path: string;
  /** Gzip the output (default: when the path ends in .gz). */
  gzip?: boolean;
  /** Append to an existing file (used by --resume). */
  append?: boolean;
}

/** One JSON object per line, to a file or stdout, optionally gzipped. Honours stream backpressure. */
export class JsonlSink implements Sink {
  private readonly out: Writable;
  private readonly file: Writable | undefined;

  constructor(settings: JsonlSinkSettings, private readonly stdout: Writable = process.stdout) {
    const gzip = settings.gzip ?? settings.path.endsWith('.gz');
    this.file = settings.path === '-' ? undefined : createWriteStream(settings.path, { flags: settings.append ? 'a' : 'w' });
    const target = this.file ?? stdout;
    if (gzip) {
      const z = createGzip();
      z.pipe(target);
      this.out = z;
    } else {
      this.out = target;
    }
  }

  async write(record: ProbeRecord): Promise<void> {
    if (!this.out.write(JSON.stringify(record) + '\n')) await once(this.out, 'drain');
  }

  /** Resolves when everything written so far is in the file (or handed to stdout). */
  async flush(): Promise<void> {
    const target = this.file ?? this.stdout;
    if (this.out !== target) {
      // Gzip: push out what the compressor holds, then let the pipe hand it to the file.
      await new Promise<void>((resolve) => (this.out as unknown as { flush(cb: () => void): void }).flush(() => resolve()));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (target === process.stdout) return;
    // Writes complete in order: the callback of an empty write comes after every earlier one.
    await new Promise<void>((resolve, reject) => target.write('', (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (this.out === process.stdout) return;
    const finished = this.file ? once(this.file, 'close') : once(this.out, 'finish');
    this.out.end();
    await finished;
  }
}
