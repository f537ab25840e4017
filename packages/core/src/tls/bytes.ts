import { TlsFailure } from './tls-failure.js';

/** Bounds-checked reader over one message; any overrun is a protocol failure, never a RangeError. */
export class ByteReader {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per reader.
  declare readonly buf: Buffer;
  declare readonly what: string;
  declare pos: number;
  constructor(buf: Buffer, what: string) {
    this.buf = buf;
    this.what = what;
    this.pos = 0;
  }

  get left(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new TlsFailure('protocol', `${this.what}: truncated (needs ${n} bytes at ${this.pos}, has ${this.left})`, this.what, this.pos);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    const v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Step over `n` bytes (no view made of them). */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  vec8(): Buffer {
    return this.bytes(this.u8());
  }

  vec16(): Buffer {
    return this.bytes(this.u16());
  }

  vec24(): Buffer {
    return this.bytes(this.u24());
  }

  rest(): Buffer {
    return this.bytes(this.left);
  }

  end(): void {
    if (this.left !== 0) throw new TlsFailure('protocol', `${this.what}: ${this.left} trailing bytes`, this.what, this.pos);
  }
}

export function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n);
  return b;
}

export function u24(n: number): Buffer {
  return writeU24(Buffer.allocUnsafe(3), 0, n);
}

/** `b` after `head` bytes (a length, or a type and a length, which the caller writes), in one buffer. */
function after(head: number, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head + b.length);
  out.set(b, head);
  return out;
}

/*
 * The engine's per-probe byte work uses index reads and writes and TypedArray set() (V8 builtins)
 * rather than Buffer's readUInt16BE/writeUInt16BE/copy/concat: those are node's own JS (argument
 * checks, _copyActual), each one more function to run interpreted and compile while a scan warms up.
 */

/** `n` as a big-endian u16 at `at` in `out`; returns the offset after it. Over 0xffff (or negative) it throws writeUInt16BE's RangeError, as before. */
export function writeU16(out: Uint8Array, at: number, n: number): number {
  if (n > 0xffff || n < 0) u16(n);
  out[at] = n >> 8;
  out[at + 1] = n & 255;
  return at + 2;
}

/** The buffers joined in one (Buffer.concat without node's per-part layers). */
export function joinBytes(parts: readonly Uint8Array[]): Buffer {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i]!.length;
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Two buffers joined in one. */
export function join2(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function writeU24<T extends Uint8Array>(out: T, at: number, n: number): T {
  out[at] = (n >> 16) & 255;
  out[at + 1] = (n >> 8) & 255;
  out[at + 2] = n & 255;
  return out;
}

/** The length is taken modulo 256 (as Buffer.from([length]) did). */
export function vec8(b: Buffer): Buffer {
  const out = after(1, b);
  out[0] = b.length & 255;
  return out;
}

/** A length over 0xffff throws, as before: u16() throws writeUInt16BE's RangeError. */
export function vec16(b: Buffer): Buffer {
  if (b.length > 0xffff) u16(b.length);
  const out = after(2, b);
  out[0] = b.length >> 8;
  out[1] = b.length & 255;
  return out;
}

export function vec24(b: Buffer): Buffer {
  return writeU24(after(3, b), 0, b.length);
}

/** A handshake message: type, 24-bit length, body. */
export function handshakeMessage(type: number, body: Buffer): Buffer {
  const out = writeU24(after(4, body), 1, body.length);
  out[0] = type;
  return out;
}
