import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { WildtlsError } from '../../errors.js';
import type { CaptureStats } from './capture-stats.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng-parser.js';
import { PCAP_MAGICS, PcapParser } from './pcap-parser.js';
import type { PacketCallback, RecordParser } from './record-parser.js';

/** A capture to read: a file path, '-' for standard input, or a named stream. */
export type CaptureInput = string | { name: string; stream: Readable };

function openInput(input: CaptureInput): { name: string; stream: Readable } {
  if (typeof input !== 'string') return input;
  if (input === '-') return { name: 'standard input', stream: process.stdin };
  return { name: input, stream: createReadStream(input, { highWaterMark: 256 * 1024 }) };
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
export async function readCapture(input: CaptureInput, onPacket: PacketCallback, stats: CaptureStats, between?: () => Promise<void> | void): Promise<void> {
  const { name, stream } = openInput(input);
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
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
        if (PCAP_MAGICS.has(magic)) parser = new PcapParser(name, onPacket);
        else if (magic === PCAPNG_SHB) parser = new PcapngParser(name, onPacket);
        else throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${name}: not a pcap or pcapng capture${gzipped ? ' (inside gzip)' : ''} (${describe(start)}); write one with tcpdump -w FILE`);
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
