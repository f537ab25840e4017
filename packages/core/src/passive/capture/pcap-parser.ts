import { HEAD_BYTES, MAX_CAPLEN, RecordParser } from './record-parser.js';

/** Classic pcap magics as read big-endian: microsecond and nanosecond, in either byte order. */
export const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

/** The unsigned 32-bit number at `p` (bytes read in place: Buffer's readUInt32 checks its arguments on each of a packet's four fields). */
function u32(b: Buffer, p: number, le: boolean): number {
  return le ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0 : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** libpcap's file format: a 24-byte file header, then 16-byte record headers each followed by caplen bytes. */
export class PcapParser extends RecordParser {
  private le = false;
  private nano = false;
  private linkType = -1;

  get started(): boolean {
    return this.linkType >= 0;
  }

  protected wanted(b: Buffer, at: number): number {
    if (this.linkType < 0) return 24;
    if (b.length < 16) return 16;
    const caplen = this.le ? b.readUInt32LE(8) : b.readUInt32BE(8);
    if (caplen > MAX_CAPLEN) return 16;
    return this.headOnly(at, 16 + caplen, caplen) ? 16 + HEAD_BYTES : 16 + caplen;
  }

  protected parse(): number {
    const b = this.buf;
    let p = this.pos;
    if (this.linkType < 0) {
      if (b.length - p < 24) return p;
      const magic = b.readUInt32BE(p);
      this.le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
      this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      // The link type's upper bits carry an FCS length flag on some writers: keep the low 16 bits.
      this.linkType = (this.le ? b.readUInt32LE(p + 20) : b.readUInt32BE(p + 20)) & 0xffff;
      p += 24;
    }
    const le = this.le;
    const div = this.nano ? 1e6 : 1e3;
    while (b.length - p >= 16) {
      const sec = u32(b, p, le);
      const frac = u32(b, p + 4, le);
      const caplen = u32(b, p + 8, le);
      const wire = u32(b, p + 12, le);
      if (caplen > MAX_CAPLEN) this.fail(`a packet record claims ${caplen} captured bytes (more than ${MAX_CAPLEN}): not a capture, or a corrupt one`, p);
      if (b.length - p - 16 < caplen) {
        // Not all of it in this chunk: a large one nobody follows is jumped over (capture-source).
        if (this.offerable(p, 16 + caplen, p + 16, caplen) && this.offer(p, 16 + caplen, this.linkType, sec * 1000 + frac / div, p + 16, caplen, Math.max(wire, caplen))) return b.length;
        break;
      }
      this.onPacket(this.linkType, sec * 1000 + frac / div, b, p + 16, caplen, Math.max(wire, caplen));
      p += 16 + caplen;
    }
    return p;
  }
}
