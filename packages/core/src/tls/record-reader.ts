import { ByteQueue } from '../net/byte-queue.js';
import { TlsFailure } from './tls-failure.js';

export class RawRecord {
  // Fields declared and set in the constructor (the parameter properties' order): no <instance_members_initializer> per record.
  declare readonly type: number;
  declare readonly version: number;
  declare readonly fragment: Buffer;
  /** Offset of the record header in the server's byte stream. */
  declare readonly offset: number;
  constructor(type: number, version: number, fragment: Buffer, offset: number) {
    this.type = type;
    this.version = version;
    this.fragment = fragment;
    this.offset = offset;
  }

  /** The 5-byte header (the AEAD's additional data), made only for the protected records that need it. */
  get header(): Buffer {
    const n = this.fragment.length;
    return Buffer.from([this.type, this.version >> 8, this.version & 255, n >> 8, n & 255]);
  }
}

/** Largest fragment RFC 5246 allows on the wire (2^14 + 2048). */
const MAX_FRAGMENT = 16384 + 2048;

/**
 * Splits the server's byte stream into records, across any fragmentation or
 * coalescing of TCP reads. An SSLv2-format reply (high bit set in the first
 * byte, SERVER-HELLO message type) is detected on the first record. The bytes
 * wait in a ByteQueue (never joined per read); headers are read across chunks,
 * and each record is cut out once, so the cost is linear in the bytes received.
 */
export class RecordReader {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per reader.
  private declare readonly queue: ByteQueue;
  /** Stream offset of the first buffered byte. */
  declare offset: number;

  constructor() {
    this.queue = new ByteQueue();
    this.offset = 0;
    this.recordVersion = 0;
    this.recordLength = 0;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** The bytes pushed so far were valid during the push only: copy those of a record not yet whole. */
  own(): void {
    this.queue.own();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** True when the stream begins like an SSLv2 SERVER-HELLO. */
  looksLikeSslv2(): boolean | undefined {
    if (this.offset !== 0 || this.queue.length < 3) return undefined;
    return (this.queue.peek(0) & 0x80) !== 0 && this.queue.peek(2) === 4;
  }

  next(): RawRecord | undefined {
    const type = this.peekRecord();
    if (type < 0) return undefined;
    const version = this.recordVersion;
    const offset = this.offset;
    // One buffer per record (the fragment, a view when it sits in one chunk): a flood of tiny records is mostly allocation.
    return new RawRecord(type, version, this.takeFragment(), offset);
  }

  /** The version and fragment length of the record peekRecord() found (valid until it is taken or skipped). */
  declare recordVersion: number;
  declare recordLength: number;

  /**
   * The next record's type when it is whole (its version and length in recordVersion and
   * recordLength; it stays queued until takeFragment() or skipRecord()), or -1 when it is not whole
   * yet. A header that is not a TLS record's fails as next() fails it. For a reader that needs no
   * object per record, nor the bytes of those it only counts (a passive follower's encrypted records).
   */
  peekRecord(): number {
    const q = this.queue;
    if (q.length < 5) return -1;
    return this.header(q.peek(0), q.peek(1), q.peek(2), (q.peek(3) << 8) | q.peek(4), q.length - 5);
  }

  /**
   * peekRecord() over bytes not queued: the record whose header is at `p` in `buf`, read in place
   * (for a reader whose queue is empty: a chunk's whole records need not pass through it). Its type
   * when it is whole in buf, else -1; passRecord() then moves the stream offset past it.
   */
  peekRecordIn(buf: Buffer, p: number): number {
    if (this.queue.length !== 0) throw new Error('RecordReader.peekRecordIn: bytes are queued (read them first)');
    if (buf.length - p < 5) return -1;
    return this.header(buf[p]!, buf[p + 1]!, buf[p + 2]!, (buf[p + 3]! << 8) | buf[p + 4]!, buf.length - p - 5);
  }

  /** The record peekRecordIn() found was read in place: the stream offset moves past it. */
  passRecord(): void {
    this.offset += 5 + this.recordLength;
  }

  /** A record header's checks; its type when `available` bytes after the header hold the whole fragment, else -1. */
  private header(type: number, major: number, minor: number, len: number, available: number): number {
    const version = (major << 8) | minor;
    if (type < 20 || type > 24 || major !== 3) {
      throw new TlsFailure('protocol', `not a TLS record (type ${type}, version 0x${version.toString(16).padStart(4, '0')})`, 'record', this.offset);
    }
    if (len > MAX_FRAGMENT) throw new TlsFailure('protocol', `record of ${len} bytes exceeds the maximum`, 'record', this.offset);
    if (available < len) return -1;
    this.recordVersion = version;
    this.recordLength = len;
    return type;
  }

  /** The fragment of the record peekRecord() found (a view when it sits in one chunk), taken off the queue. */
  takeFragment(): Buffer {
    const len = this.recordLength;
    this.queue.skip(5);
    const fragment = this.queue.take(len);
    this.offset += 5 + len;
    return fragment;
  }

  /** Drop the record peekRecord() found, no buffer made of it. */
  skipRecord(): void {
    this.queue.skip(5 + this.recordLength);
    this.offset += 5 + this.recordLength;
  }
}
