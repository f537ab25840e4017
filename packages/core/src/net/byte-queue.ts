/**
 * Bytes received and not yet consumed, kept as the chunks they arrived in.
 * Nothing is ever flattened per chunk: take() returns a view when the bytes sit
 * in one chunk and copies them once otherwise, so a stream of n bytes costs
 * O(n) whatever its split (1 MiB in one-byte reads included), where joining
 * the buffer on every chunk cost O(n^2).
 */
export class ByteQueue {
  // Fields declared and set in the constructor, not initialized in the class body: a class body with
  // field initializers gets its own `<instance_members_initializer>` function, which a queue made per
  // probe (two of them) makes hot and TurboFan compiles on its own; the constructor is compiled anyway.
  private declare chunks: Buffer[];
  /** Index of the first live chunk (consumed chunks before it are dropped in batches). */
  private declare head: number;
  /** Bytes of chunks[head] already taken. */
  private declare pos: number;
  private declare size: number;
  /** Stream position of the queue's first byte (bytes taken since the start). */
  private declare taken: number;
  /** Where the last indexOf() stopped: a chunk index and its stream position, so a search resumes there. */
  private declare scanChunk: number;
  private declare scanChunkStart: number;
  /** chunks[0, ownedTo) are the queue's own copies (own()). */
  private declare ownedTo: number;

  constructor() {
    // Not a `[]` literal: a literal's allocation site turns to "tenure" mid-scan (every queue lives as
    // long as its probe) and V8 then throws away the optimized code that inlined this constructor
    // (`--trace-deopt`: "marking dependent code ... ByteQueue", twice per SMTP scan); `new Array()` was not seen to.
    this.chunks = new Array<Buffer>();
    this.head = 0;
    this.pos = 0;
    this.size = 0;
    this.taken = 0;
    this.scanChunk = -1;
    this.scanChunkStart = 0;
    this.ownedTo = 0;
  }

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The byte at index `i` from the front (i < length). Walks chunks: meant for headers (small i). */
  peek(i: number): number {
    let c = this.head;
    let at = this.pos + i;
    while (at >= this.chunks[c]!.length) {
      at -= this.chunks[c]!.length;
      c++;
    }
    return this.chunks[c]![at]!;
  }

  /** Remove the first `n` bytes (n <= length): a view when they sit in one chunk, else one copy. */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    let out: Buffer;
    if (first.length - this.pos >= n) {
      out = first.subarray(this.pos, this.pos + n);
      this.pos += n;
      if (this.pos === first.length) this.dropHead();
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[this.head]!;
        const k = Math.min(n - filled, c.length - this.pos);
        c.copy(out, filled, this.pos, this.pos + k);
        filled += k;
        this.pos += k;
        if (this.pos === c.length) this.dropHead();
      }
    }
    this.size -= n;
    this.taken += n;
    return out;
  }

  /**
   * Remove the first `n` bytes (1 <= n <= length), a line ending in its LF, and return its text
   * (latin1) without the LF and a CR before it. Decoded straight from the chunk when the line
   * sits in one (no Buffer view made for it, the usual case), through one copy otherwise.
   */
  takeLine(n: number): string {
    const first = this.chunks[this.head]!;
    if (first.length - this.pos >= n) {
      const start = this.pos;
      let end = start + n - 1;
      if (end > start && first[end - 1] === 0x0d) end--;
      const text = first.toString('latin1', start, end);
      this.skip(n);
      return text;
    }
    const line = this.take(n);
    const end = n - 1;
    return line.toString('latin1', 0, end > 0 && line[end - 1] === 0x0d ? end - 1 : end);
  }

  /** Drop the first `n` bytes (n <= length) without making a buffer of them. */
  skip(n: number): void {
    this.size -= n;
    this.taken += n;
    while (n > 0) {
      const k = Math.min(n, this.chunks[this.head]!.length - this.pos);
      this.pos += k;
      n -= k;
      if (this.pos === this.chunks[this.head]!.length) this.dropHead();
    }
  }

  /**
   * Make the queued bytes the queue's own: the chunks pushed may be views of memory their owner
   * reuses (a capture's read buffer), valid only while they are handed over. Each chunk is copied
   * once (the live part of the first), the first time own() sees it: linear in the bytes pushed.
   */
  own(): void {
    if (this.ownedTo >= this.chunks.length) return;
    for (let c = Math.max(this.head, this.ownedTo); c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const from = c === this.head ? this.pos : 0;
      const copy = Buffer.allocUnsafe(chunk.length - from);
      chunk.copy(copy, 0, from);
      this.chunks[c] = copy;
      if (c === this.head) this.pos = 0;
    }
    this.ownedTo = this.chunks.length;
    this.scanChunk = -1;
  }

  /** Remove everything (one copy at most). */
  takeAll(): Buffer {
    return this.take(this.size);
  }

  /**
   * Index (from the front) of the first `byte` at or after `from`, or -1. A
   * search that resumes where the previous one stopped (the usual case: look
   * again after more bytes arrived) walks no chunk twice.
   */
  indexOf(byte: number, from = 0): number {
    if (from >= this.size) return -1;
    const absFrom = this.taken + from;
    let c = this.head;
    let start = this.taken - this.pos;
    if (this.scanChunk >= this.head && this.scanChunk < this.chunks.length && this.scanChunkStart <= absFrom) {
      c = this.scanChunk;
      start = this.scanChunkStart;
    }
    for (; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      if (start + chunk.length > absFrom) {
        const i = chunk.indexOf(byte, Math.max(0, absFrom - start));
        if (i >= 0) {
          this.scanChunk = c;
          this.scanChunkStart = start;
          return start + i - this.taken;
        }
      }
      start += chunk.length;
    }
    // Resume next time in the last chunk (more bytes may land in a new one after it).
    this.scanChunk = this.chunks.length - 1;
    this.scanChunkStart = start - this.chunks[this.chunks.length - 1]!.length;
    return -1;
  }

  private dropHead(): void {
    this.chunks[this.head] = EMPTY;
    this.head++;
    this.pos = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0; // emptied in place: a queue that empties after most reads makes no new array each time
      this.head = 0;
      this.scanChunk = -1;
      this.ownedTo = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      // Drop consumed slots in batches: amortised O(1) per chunk, where shift() is O(chunks).
      this.chunks = this.chunks.slice(this.head);
      this.scanChunk -= this.head;
      this.ownedTo = Math.max(0, this.ownedTo - this.head);
      this.head = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);
