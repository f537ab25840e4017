import { ByteQueue } from '../net/byte-queue.js';
import { handshakeTypeName } from './names.js';
import { TlsFailure } from './tls-failure.js';

export interface HandshakeFrame {
  type: number;
  /** The whole message, type and length included (for the transcript). */
  raw: Buffer;
  /** Stream offset of the message (approximate when it spans records: their headers are not counted). */
  offset: number;
}

/**
 * Handshake messages out of handshake-record fragments: many messages per
 * record, one message over many records. Fragments are collected as they are
 * and a message is joined once, when it is complete (a view, with no copy,
 * when it sits in one record), so reassembly costs linear time in its bytes
 * however the server cuts them.
 */
export class HandshakeReassembler {
  private readonly queue = new ByteQueue();
  private offset = 0;

  constructor(private readonly maxMessage: number) {}

  /** Bytes of an incomplete message waiting for more records. */
  get pending(): number {
    return this.queue.length;
  }

  /** `at`: the fragment's offset in the server's byte stream. */
  push(fragment: Buffer, at: number): void {
    if (this.queue.length === 0) this.offset = at;
    this.queue.push(fragment);
  }

  /** The next complete message, or undefined; a length over the cap fails before its bytes are awaited. */
  next(): HandshakeFrame | undefined {
    const q = this.queue;
    if (q.length < 4) return undefined;
    const type = q.peek(0);
    const len = (q.peek(1) << 16) | (q.peek(2) << 8) | q.peek(3);
    if (len > this.maxMessage) {
      throw new TlsFailure('protocol', `${handshakeTypeName(type)} of ${len} bytes exceeds the ${this.maxMessage}-byte cap`, handshakeTypeName(type), this.offset);
    }
    if (q.length < 4 + len) return undefined;
    const offset = this.offset;
    this.offset += 4 + len;
    return { type, raw: q.take(4 + len), offset };
  }
}
