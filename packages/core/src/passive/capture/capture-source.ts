import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { WildtlsError } from '../../errors.js';
import type { CaptureStats } from './capture-stats.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng-parser.js';
import { PCAP_MAGICS, PcapParser } from './pcap-parser.js';
import type { HeadCallback, PacketCallback, RecordParser } from './record-parser.js';

/** A capture to read: a file path, '-' for standard input, or a named stream. */
export type CaptureInput = string | { name: string; stream: Readable };

/** Bytes read from a capture file at a time. */
const FILE_CHUNK = 256 * 1024;
/**
 * Bytes read right after a jump over a packet: enough for a few small packets between two large ones
 * (the ACKs of a bulk transfer) and the next large one's head, whose rest is then jumped over too.
 * Reads grow back (x4 per read) to FILE_CHUNK while no jump is made. (4 KiB jumped 5 % less of the 1 GB
 * bulk capture, at the same CPU: the read after a jump is one system call either way.)
 */
const AFTER_JUMP_READ = 1024;

/**
 * A plain capture file's reading, shared with its parser once the format is known: the parser says
 * what to jump over (the rest of large packets nobody follows, capture-source's reader never reads
 * them) and how much of a record it still waits for.
 */
interface FileControl {
  /** The file's size when it is a regular file (positional reads and jumps), else -1 (a pipe: read in turn). */
  size: number;
  parser?: RecordParser;
  /** Bytes jumped over so far. */
  jumped: number;
}

/**
 * A capture file's chunks, read in turn into two buffers that are used again: a stream's new buffer
 * per chunk made the garbage collector most of the CPU of reading a large capture. (1 MiB reads
 * cost more system time in the whole command than they saved: docs/benchmarks.md.) Safe because the
 * consumer is done with a chunk before it asks for the one after the next: the record parser holds
 * only the last chunk (a record spanning two is copied), and nothing reads ahead. A gzip file (its
 * chunks go to the decompressor, which may hold them) gets a new buffer per chunk.
 *
 * The reads are synchronous: a 256 KiB read of a file costs less than handing it to libuv's thread
 * pool and back (about a third of the CPU of reading a 1 GB capture, docs/benchmarks.md), and
 * nothing else waits on this thread's I/O while a capture is read (the consumer awaits between
 * chunks, which lets timers and the sinks run).
 *
 * Before each read the parser (once control.parser is set: a plain, not gzip, regular file) is asked
 * what to jump over: the kernel's copy of every byte from the page cache was most of the CPU of a
 * bulk capture (docs/benchmarks.md), and most of its bytes are payload of connections nobody follows.
 */
async function* fileChunks(path: string, control: FileControl): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    control.size = st.isFile() ? st.size : -1;
    const buffers = [Buffer.allocUnsafe(FILE_CHUNK), Buffer.allocUnsafe(FILE_CHUNK)];
    let reuse: boolean | undefined;
    let pos = 0;
    let size = FILE_CHUNK; // the next read's size, when no record is pending
    for (let n = 0; ; n++) {
      const parser = control.parser;
      let read = size;
      if (parser) {
        const jump = parser.takeSkip(control.size - pos);
        const pending = parser.pending;
        if (jump > 0) {
          pos += jump;
          control.jumped += jump;
          read = size = AFTER_JUMP_READ;
        } else if (pending > 0) {
          // The rest of a record (a large one someone follows), and as much again as the last read after it.
          read = Math.min(FILE_CHUNK, pending + size);
        } else {
          read = size = Math.min(FILE_CHUNK, size * 4);
        }
      }
      const buf = reuse ? buffers[n & 1]! : Buffer.allocUnsafe(FILE_CHUNK);
      const bytesRead = readSync(fd, buf, 0, read, control.size >= 0 ? pos : null);
      if (bytesRead === 0) return;
      pos += bytesRead;
      reuse ??= bytesRead >= 2 && !(buf[0] === 0x1f && buf[1] === 0x8b);
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

function openInput(input: CaptureInput): { name: string; stream: AsyncIterable<Buffer>; control?: FileControl } {
  if (typeof input !== 'string') return input;
  if (input === '-') return { name: 'standard input', stream: process.stdin };
  const control: FileControl = { size: -1, jumped: 0 };
  return { name: input, stream: fileChunks(input, control), control };
}

function describe(head: Buffer): string {
  return `first bytes ${head.subarray(0, 8).toString('hex') || '(none)'}`;
}

/** Chunks as they come, after the first few bytes were read to tell the format (gzip is undone on the way). */
async function* unzipIfGzip(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  async function* raw(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* raw();
    return;
  }
  const gunzip = createGunzip();
  const source = ReadableStream.from(raw());
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  yield* gunzip as AsyncIterable<Buffer>;
}

/**
 * Read one capture (pcap or pcapng, gzip or not) as a stream: chunks are parsed as they arrive, and the
 * stream is paused while a chunk is parsed (backpressure), so a capture never sits in memory whole.
 */
export async function readCapture(input: CaptureInput, onPacket: PacketCallback, stats: CaptureStats, between?: () => Promise<void> | void, onHead?: HeadCallback): Promise<void> {
  const { name, stream, control } = openInput(input);
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    await readChunks(name, it, onPacket, stats, between, control && onHead ? { control, onHead } : undefined);
  } finally {
    // A file read to its end is closed already; one given up on (not a capture, corrupt) is closed here.
    if (typeof input === 'string' && input !== '-') await it.return?.(undefined);
    if (control) stats.bytesNotRead += control.jumped;
  }
}

/** A plain file's reading (for jumps) and who is offered large packets' heads. */
interface Jumps { control: FileControl; onHead: HeadCallback }

async function readChunks(name: string, it: AsyncIterator<Buffer>, onPacket: PacketCallback, stats: CaptureStats, between?: () => Promise<void> | void, jumps?: Jumps): Promise<void> {
  let head: Buffer = Buffer.alloc(0);
  try {
    while (head.length < 4) {
      const r = await it.next();
      if (r.done) break;
      head = head.length ? Buffer.concat([head, r.value]) : r.value;
    }
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (head.length === 0) throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: is empty, not a pcap or pcapng capture`);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  let parser: RecordParser | undefined;
  let start: Buffer = Buffer.alloc(0); // the first bytes after gzip, until there are 4 to tell the format
  try {
    for await (const chunk of unzipIfGzip(head, it)) {
      if (!parser) {
        start = start.length ? Buffer.concat([start, chunk]) : chunk;
        if (start.length < 4) continue;
        const magic = start.readUInt32BE(0);
        // Only a plain regular file can jump: gzip and pipes are read whole, every byte in turn.
        const onHead = jumps && !gzipped && jumps.control.size >= 0 ? jumps.onHead : undefined;
        if (PCAP_MAGICS.has(magic)) parser = new PcapParser(name, onPacket, onHead);
        else if (magic === PCAPNG_SHB) parser = new PcapngParser(name, onPacket, onHead);
        else throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: not a pcap or pcapng capture${gzipped ? ' (inside gzip)' : ''} (${describe(start)}); write one with tcpdump -w FILE`);
        if (onHead) {
          parser.jumpLimit = jumps!.control.size;
          jumps!.control.parser = parser;
        }
        parser.push(start);
      } else {
        parser.push(chunk);
      }
      // Backpressure from the consumers (the result bus): the next chunk waits until they have room.
      if (between) await between();
    }
  } catch (err) {
    if (err instanceof WildtlsError) throw err;
    // A gzip stream cut off (tcpdump | gzip stopped) is a truncated capture; other gzip damage is an error.
    if (gzipped && parser && (err as { code?: string }).code === 'Z_BUF_ERROR') {
      stats.truncatedFiles++;
      stats.files++;
      return;
    }
    const what = gzipped ? 'its gzip data is broken' : 'cannot be read';
    throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: ${what}: ${(err as Error).message}`, { cause: err });
  }
  if (!parser) throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: too short to be a capture (${describe(start)})`);
  if (!parser.started) throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: ends inside its file header (a truncated capture)`);
  if (parser.leftover > 0) stats.truncatedFiles++;
  stats.files++;
}
