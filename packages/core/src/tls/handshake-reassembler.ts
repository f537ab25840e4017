import { handshakeTypeName } from './names.js';
import { TlsFailure } from './tls-failure.js';

export interface HandshakeFrame {
  type: number;
  /** The whole message, type and length included (for the transcript). */
  raw: Buffer;
  /** Offset of the message's first byte in the server's byte stream. */
  offset: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Handshake messages out of handshake-record fragments: many messages per
 * record, one message over many records. A message inside one fragment is
 * handed out as a view; one that spans fragments is copied, byte by byte as
 * they arrive, into a buffer of its announced size (at most the cap), so no
 * fragment is kept and no byte is copied twice: linear time and no garbage
 * per record, however the server cuts its messages (one byte per record too).
 */
export class HandshakeReassembler {
  // Fields declared and set in the constructor in this order: a class body with field initializers
  // gets its own <instance_members_initializer>, which TurboFan compiles as a job of its own.
  private declare readonly maxMessage: number;
  private declare frag: Buffer;
  private declare pos: number;
  /** Stream offset of frag[0]. */
  private declare fragAt: number;
  /** The first bytes (< 4) of a message whose header spans fragments (made when first needed: rare). */
  private declare head: Buffer | undefined;
  private declare headLength: number;
  /** A message that spans fragments, `filled` bytes of it so far. */
  private declare partial: Buffer | undefined;
  private declare filled: number;
  private declare messageAt: number;
  /** The message (type and length included) last found: message[messageStart, messageEnd), the whole of `message` when it was copied together (spanned fragments). */
  private declare message: Buffer;
  private declare messageStart: number;
  private declare messageEnd: number;
  private declare messageCopied: boolean;

  constructor(maxMessage: number) {
    this.maxMessage = maxMessage;
    this.frag = EMPTY;
    this.pos = 0;
    this.fragAt = 0;
    this.head = undefined;
    this.headLength = 0;
    this.partial = undefined;
    this.filled = 0;
    this.messageAt = 0;
    this.message = EMPTY;
    this.messageStart = 0;
    this.messageEnd = 0;
    this.messageCopied = false;
  }

  /** Bytes of an incomplete message waiting for more records. */
  get pending(): number {
    return this.headLength + (this.partial ? this.filled : 0) + (this.frag.length - this.pos);
  }

  /** The next fragment, once next() returned undefined; `at`: its offset in the server's byte stream. */
  push(fragment: Buffer, at: number): void {
    this.frag = fragment;
    this.pos = 0;
    this.fragAt = at;
  }

  /** The next complete message, or undefined when the fragments so far hold none; a length over the cap fails at once. */
  next(): HandshakeFrame | undefined {
    if (!this.advance()) return undefined;
    const m = this.message;
    const raw = this.messageCopied ? m : m.subarray(this.messageStart, this.messageEnd);
    return { type: raw[0]!, raw, offset: this.messageAt };
  }

  /** The next complete message, type and length included, as next() without the frame object (messageOffset: where it began). */
  nextRaw(): Buffer | undefined {
    if (!this.advance()) return undefined;
    return this.messageCopied ? this.message : this.message.subarray(this.messageStart, this.messageEnd);
  }

  /** Type and stream offset of the message nextBody() or nextRaw() returned last. */
  get messageType(): number {
    return this.message[this.messageStart]!;
  }

  get messageOffset(): number {
    return this.messageAt;
  }

  /**
   * The next complete message's body (type and length stripped; messageType and messageOffset say
   * the rest), or undefined as next(): one view, no frame object (a passive follower's messages).
   */
  nextBody(): Buffer | undefined {
    return this.advance() ? this.message.subarray(this.messageStart + 4, this.messageEnd) : undefined;
  }

  /** Find the next complete message (then true, `message` and its bounds set), or false when the fragments so far hold none. */
  private advance(): boolean {
    const f = this.frag;
    for (;;) {
      const avail = f.length - this.pos;
      if (this.partial) {
        const k = Math.min(avail, this.partial.length - this.filled);
        this.partial.set(new Uint8Array(f.buffer, f.byteOffset + this.pos, k), this.filled);
        this.filled += k;
        this.pos += k;
        if (this.filled < this.partial.length) return false;
        this.found(this.partial, 0, this.partial.length, true);
        this.partial = undefined;
        return true;
      }
      if (avail === 0) return false;
      if (this.headLength > 0 || avail < 4) {
        if (this.headLength === 0) this.messageAt = this.fragAt + this.pos;
        const head = (this.head ??= Buffer.alloc(4));
        while (this.headLength < 4 && this.pos < f.length) head[this.headLength++] = f[this.pos++]!;
        if (this.headLength < 4) return false;
        this.headLength = 0;
        this.partial = Buffer.allocUnsafe(4 + this.announced(head, 0));
        this.partial.set(head, 0);
        this.filled = 4;
        continue;
      }
      this.messageAt = this.fragAt + this.pos;
      const len = this.announced(f, this.pos);
      if (avail >= 4 + len) {
        this.found(f, this.pos, this.pos + 4 + len, false);
        this.pos += 4 + len;
        return true;
      }
      this.partial = Buffer.allocUnsafe(4 + len);
      this.filled = 0;
    }
  }

  private found(message: Buffer, start: number, end: number, copied: boolean): void {
    this.message = message;
    this.messageCopied = copied;
    this.messageStart = start;
    this.messageEnd = end;
  }

  /** The body length a message header announces, checked against the cap before any of the body is awaited. */
  private announced(b: Buffer, at: number): number {
    const len = (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    if (len > this.maxMessage) {
      const name = handshakeTypeName(b[at]!);
      throw new TlsFailure('protocol', `${name} of ${len} bytes exceeds the ${this.maxMessage}-byte cap`, name, this.messageAt);
    }
    return len;
  }
}
