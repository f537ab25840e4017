import { WildtlsError } from '../../errors.js';

/** One captured packet: link type, capture time (ms since the epoch), the captured bytes, the length on the wire. */
export type PacketCallback = (linkType: number, ts: number, data: Uint8Array, wireLength: number) => void;

/** The largest packet we accept (tcpdump's default snap length is 262144). */
export const MAX_CAPLEN = 256 * 1024;

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
  /** Bytes consumed before `buf`: the file offset of buf[0] (for error messages). */
  protected base = 0;

  constructor(readonly name: string, protected readonly onPacket: PacketCallback) {}

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
      let want = this.wanted(left);
      while (want > left.length && chunk.length > 0) {
        const take = Math.min(want - left.length, chunk.length);
        left = Buffer.concat([left, chunk.subarray(0, take)]);
        chunk = chunk.subarray(take);
        want = this.wanted(left); // now that the record's header is whole: its full size
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
   */
  protected abstract wanted(b: Buffer): number;

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
