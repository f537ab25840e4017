import { TlsFailure } from './tls-failure.js';

export interface RawRecord {
  header: Buffer;
  type: number;
  version: number;
  fragment: Buffer;
  /** Offset of the record header in the server's byte stream. */
  offset: number;
}

/** Largest fragment RFC 5246 allows on the wire (2^14 + 2048). */
const MAX_FRAGMENT = 16384 + 2048;

/**
 * Splits the server's byte stream into records, across any fragmentation or
 * coalescing of TCP reads. An SSLv2-format reply (high bit set in the first
 * byte, SERVER-HELLO message type) is detected on the first record.
 */
export class RecordReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Stream offset of the first buffered byte. */
  offset = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  get pending(): number {
    return this.buffered;
  }

  private flat(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** True when the stream begins like an SSLv2 SERVER-HELLO. */
  looksLikeSslv2(): boolean | undefined {
    if (this.offset !== 0 || this.buffered < 3) return undefined;
    const b = this.flat();
    return (b[0]! & 0x80) !== 0 && b[2] === 4;
  }

  next(): RawRecord | undefined {
    if (this.buffered < 5) return undefined;
    const b = this.flat();
    const type = b[0]!;
    const version = b.readUInt16BE(1);
    const len = b.readUInt16BE(3);
    if (type < 20 || type > 24 || b[1] !== 3) {
      throw new TlsFailure('protocol', `not a TLS record (type ${type}, version 0x${version.toString(16).padStart(4, '0')})`, 'record', this.offset);
    }
    if (len > MAX_FRAGMENT) throw new TlsFailure('protocol', `record of ${len} bytes exceeds the maximum`, 'record', this.offset);
    if (this.buffered < 5 + len) return undefined;
    const rec: RawRecord = { header: b.subarray(0, 5), type, version, fragment: b.subarray(5, 5 + len), offset: this.offset };
    const rest = b.subarray(5 + len);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.offset += 5 + len;
    return rec;
  }
}
