import { WildtlsError } from '../../errors.js';

/**
 * One captured packet: link type, capture time (ms since the epoch), the captured bytes (`capLength`
 * of them at `at` in `buf`, the reader's chunk: no view is made per packet), the length on the wire.
 */
export type PacketCallback = (linkType: number, ts: number, buf: Uint8Array, at: number, capLength: number, wireLength: number) => void;

/**
 * A large packet's first bytes, offered before the rest is read (capture files only): true = it was
 * handled from these bytes alone (nobody wants its payload), and the rest of the record is jumped over.
 * `capLength` is the packet's whole captured length. Called at most once per packet; false = deliver
 * the whole packet through the PacketCallback as usual.
 */
export type HeadCallback = (linkType: number, ts: number, head: Uint8Array, capLength: number, wireLength: number) => boolean;

/** The largest packet we accept (tcpdump's default snap length is 262144). */
export const MAX_CAPLEN = 256 * 1024;

/**
 * Packets offered by their head: a smaller record costs less to read whole than the system call a
 * jump over it costs (a read is about 1-2 µs of system time plus about 0.5 ns per byte copied).
 */
export const SKIP_MIN = 4 * 1024;
/** Bytes of a packet offered as its head: link, IP and TCP headers (IPv6 extension chains past it: read whole). */
export const HEAD_BYTES = 256;

/**
 * The chunk buffering shared by the pcap and pcapng readers: chunks are pushed as they come from the
 * stream; only a record that spans two chunks is copied. `parse` consumes whole records from `buf`
 * at `pos` and returns the new position (it stops when a record is incomplete); `skip` drops bytes
 * that need not be held (an unknown pcapng block) as they stream past.
 */
export abstract class RecordParser {
  protected buf: Buffer = Buffer.alloc(0);
  protected pos = 0;
  protected skip = 0;
  /** Bytes consumed before `buf`: the file offset of buf[0] (for error messages and jumps). */
  protected base = 0;
  /**
   * The file's size when the source can jump (a plain file): records that end at or before it may be
   * offered by their head; -1 = a stream, every byte is read. A record past the end (a truncated
   * capture) is never offered: it is read up to the end and counted as a truncated file, as before.
   */
  jumpLimit = -1;
  /** File offset of a record whose head was offered and refused (it is read whole, not offered again). */
  protected wholeAt = -1;

  constructor(readonly name: string, protected readonly onPacket: PacketCallback, protected readonly onHead?: HeadCallback) {}

  /** A record at file offset `at`, `len` bytes long with a packet of `capLength` bytes, is to be offered by its head. */
  protected headOnly(at: number, len: number, capLength: number): boolean {
    return this.onHead !== undefined && capLength >= SKIP_MIN && at + len <= this.jumpLimit && at !== this.wholeAt;
  }

  /** The record at `p` in buf, not all of it in buf, may be offered now (its head is in buf). */
  protected offerable(p: number, len: number, dataAt: number, capLength: number): boolean {
    return this.headOnly(this.base + p, len, capLength) && this.buf.length - dataAt >= HEAD_BYTES;
  }

  /** Offer the head of the record at `p`; true = handled, the rest of it (up to `end` bytes from p) is to be skipped. */
  protected offer(p: number, end: number, linkType: number, ts: number, dataAt: number, capLength: number, wire: number): boolean {
    if (!this.onHead!(linkType, ts, this.buf.subarray(dataAt, Math.min(this.buf.length, dataAt + capLength)), capLength, wire)) {
      this.wholeAt = this.base + p;
      return false;
    }
    this.skip = p + end - this.buf.length;
    return true;
  }

  /**
   * Bytes to jump over in the file before the next read (the source jumps, instead of reading them),
   * at most `upTo` (the bytes left in the file): a skip past the end (an unknown pcapng block cut off)
   * stays owed, so the file counts as truncated, as when read whole.
   */
  takeSkip(upTo: number): number {
    const n = Math.max(0, Math.min(this.skip, upTo));
    this.skip -= n;
    this.base += n;
    return n;
  }

  /** While a record is incomplete: bytes of it still to come (0 when none is pending). */
  get pending(): number {
    const left = this.buf.length - this.pos;
    return left > 0 ? Math.max(0, this.wanted(this.buf.subarray(this.pos), this.base + this.pos) - left) : 0;
  }

  push(chunk: Buffer): void {
    while (chunk.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length);
        this.skip -= n;
        this.base += n;
        chunk = chunk.subarray(n);
        if (chunk.length === 0) return;
      }
      if (this.pos >= this.buf.length) {
        this.base += this.buf.length;
        this.buf = chunk;
        this.pos = 0;
        // parse() returns buf.length when it starts a skip that runs past this chunk.
        this.pos = this.parse();
        return;
      }
      // A record spans the two chunks: copy that record only (the leftover and the head of the new
      // chunk), parse it alone, then go on in the new chunk in place. Joining the leftover to the whole
      // chunk copied every chunk of a capture of large packets once more.
      const had = this.buf.length - this.pos;
      let left = this.buf.subarray(this.pos);
      this.base += this.pos;
      let want = this.wanted(left, this.base);
      while (want > left.length && chunk.length > 0) {
        const take = Math.min(want - left.length, chunk.length);
        left = Buffer.concat([left, chunk.subarray(0, take)]);
        chunk = chunk.subarray(take);
        want = this.wanted(left, this.base); // now that the record's header is whole: its full size
      }
      if (want <= had) {
        // The leftover was already enough but parse() did not take it: join the plain way (always progresses).
        left = Buffer.concat([left, chunk]);
        chunk = chunk.subarray(chunk.length);
      }
      this.buf = left;
      this.pos = 0;
      this.pos = this.parse();
    }
  }

  /**
   * Bytes from the start of `b` (a record not parsed yet) needed to parse that record: its header's
   * size while the header is incomplete, then the whole record. Only a hint for how much of the next
   * chunk to copy; parse() decides (a size it will refuse may be answered with the header's size).
   * A record to be offered by its head (headOnly) wants its head only. `at` is b[0]'s file offset.
   */
  protected abstract wanted(b: Buffer, at: number): number;

  /** Bytes left over at the end of the stream (a record cut off), or still to skip. */
  get leftover(): number {
    return this.buf.length - this.pos + this.skip;
  }

  /** true once the file header has been read (the file is a capture of this format). */
  abstract get started(): boolean;

  protected abstract parse(): number;

  protected fail(what: string, at: number): never {
    throw new WildtlsError('WILDTLS_ERR_CAPTURE', `${this.name}: ${what} (at byte ${this.base + at})`);
  }
}
