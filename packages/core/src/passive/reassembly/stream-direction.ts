import type { FlowDirection } from '../flow.js';

/** A held piece of one direction's byte stream; data null = bytes known lost (cut by the snap length). */
interface Held { start: number; len: number; data: Uint8Array | null; ts: number }

/** Where one direction's in-order bytes and holes go (its flow). */
export interface StreamOutput {
  streamData(dir: FlowDirection, bytes: Uint8Array, ts: number): void;
  streamGap(dir: FlowDirection, missing: number, ts: number): void;
}

function byStart(a: Held, b: Held): number {
  return a.start - b.start;
}

/**
 * One direction of a TCP connection. Sequence numbers become offsets from where the stream was
 * first seen (the signed 32-bit difference to the next expected sequence number, so a wrap past
 * 2^32 is just the next byte). In-order bytes go straight out without a copy; bytes ahead of a
 * hole are copied and held (sorted, the first copy of each byte wins) until the hole fills or is
 * given up on (skipHole: the peer acknowledged past it, it got too old, or the hold caps were hit).
 */
export class StreamDirection {
  started = false;
  /** Offset of the next byte expected, and its 32-bit sequence number. */
  nextAbs = 0;
  nextSeq = 0;
  /** Offset just past the FIN's byte, once a FIN was seen (-1 before). */
  finAbs = -1;
  held: Held[] = [];
  heldBytes = 0;

  constructor(private readonly out: StreamOutput, readonly dir: FlowDirection) {}

  init(seq: number): void {
    this.started = true;
    this.nextSeq = seq >>> 0;
  }

  get finished(): boolean {
    return this.finAbs >= 0 && this.nextAbs >= this.finAbs;
  }

  get oldestHeldTs(): number {
    return this.held.length ? this.held[0]!.ts : Infinity;
  }

  private offset(seq: number): number {
    return this.nextAbs + ((seq - this.nextSeq) | 0);
  }

  private advanceTo(abs: number): void {
    this.nextSeq = (this.nextSeq + (abs - this.nextAbs)) >>> 0;
    this.nextAbs = abs;
  }

  /**
   * One segment: a payload of `length` bytes starting at `seq`, of which `captured` bytes were
   * captured, at `at` in `bytes` (a view is made of them only when they are new).
   */
  segment(seq: number, bytes: Uint8Array, at: number, captured: number, length: number, fin: boolean, ts: number): void {
    const start = this.offset(seq);
    const end = start + length;
    if (fin && this.finAbs < 0) this.finAbs = end;
    if (length === 0 || end <= this.nextAbs) return; // nothing new: an ACK, a retransmission, a keep-alive
    const capEnd = start + captured;
    if (start <= this.nextAbs && this.held.length === 0) {
      if (capEnd > this.nextAbs) {
        this.out.streamData(this.dir, bytes.subarray(at + (this.nextAbs - start), at + captured), ts);
        this.advanceTo(capEnd);
      }
      if (end > this.nextAbs) {
        this.out.streamGap(this.dir, end - this.nextAbs, ts);
        this.advanceTo(end);
      }
      return;
    }
    if (capEnd > start) this.hold(start, capEnd, bytes.subarray(at, at + captured), start, ts);
    if (end > capEnd) this.hold(capEnd, end, null, start, ts);
    this.drain();
  }

  /** Hold the part of [from, to) not held yet; `data` (null = lost bytes) begins at offset dataStart. */
  private hold(from: number, to: number, data: Uint8Array | null, dataStart: number, ts: number): void {
    let cur = Math.max(from, this.nextAbs);
    const before = this.held.length;
    for (let i = 0; i < before && cur < to; i++) {
      const h = this.held[i]!;
      if (h.start + h.len <= cur) continue;
      if (h.start >= to) break;
      if (h.start > cur) this.piece(cur, h.start, data, dataStart, ts);
      cur = Math.max(cur, h.start + h.len);
    }
    if (cur < to) this.piece(cur, to, data, dataStart, ts);
    if (this.held.length !== before) this.held.sort(byStart);
  }

  private piece(from: number, to: number, data: Uint8Array | null, dataStart: number, ts: number): void {
    // A copy (Uint8Array's slice; a Buffer's slice is a view): the capture's chunk is a read buffer used
    // again for later reads, and a held piece must not keep a whole chunk alive either.
    const bytes = data ? Uint8Array.prototype.slice.call(data, from - dataStart, to - dataStart) : null;
    this.held.push({ start: from, len: to - from, data: bytes, ts });
    if (bytes) this.heldBytes += bytes.length;
  }

  /** Deliver the held pieces that now continue the stream. */
  private drain(): void {
    while (this.held.length && this.held[0]!.start <= this.nextAbs) {
      const h = this.held.shift()!;
      if (h.data) this.heldBytes -= h.data.length;
      const end = h.start + h.len;
      if (end <= this.nextAbs) continue;
      if (h.data) this.out.streamData(this.dir, h.data.subarray(this.nextAbs - h.start), h.ts);
      else this.out.streamGap(this.dir, end - this.nextAbs, h.ts);
      this.advanceTo(end);
    }
  }

  /** Give up on the first hole: report it as a gap and deliver what follows it. */
  skipHole(ts: number): void {
    if (!this.held.length) return;
    const next = this.held[0]!.start;
    if (next > this.nextAbs) {
      this.out.streamGap(this.dir, next - this.nextAbs, ts);
      this.advanceTo(next);
    }
    this.drain();
  }

  /** The peer acknowledged up to `ackSeq`: holes before it are lost from the capture, not late. */
  acked(ackSeq: number, ts: number): void {
    if (!this.held.length) return;
    const ackAbs = this.offset(ackSeq);
    while (this.held.length && this.held[0]!.start < ackAbs) this.skipHole(ts);
  }

  /** Deliver everything held, holes as gaps (the flow ends). */
  flush(ts: number): void {
    while (this.held.length) this.skipHole(ts);
  }

  /** Forget what is held (the handler is done). An empty list is kept as it is: every flow drops both directions when it ends. */
  drop(): void {
    if (this.held.length !== 0) this.held = [];
    this.heldBytes = 0;
  }
}
