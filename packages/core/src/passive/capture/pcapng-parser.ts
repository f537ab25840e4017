import { HEAD_BYTES, MAX_CAPLEN, RecordParser, SKIP_MIN } from './record-parser.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2; // obsolete Packet Block
const SPB = 3;
const EPB = 6;
/** A block we parse (section header, interface, packet) may hold a packet plus this much of options. */
const MAX_PARSED_BLOCK = MAX_CAPLEN + 64 * 1024;
/** Blocks we skip stream past without being held; past this size the length is taken as corrupt. */
const MAX_SKIPPED_BLOCK = 64 * 1024 * 1024;
/** Interfaces per section: more is taken as corrupt (each costs a little memory). */
const MAX_INTERFACES = 65536;

interface Iface { linkType: number; /** ms per timestamp unit */ unitMs: number; offsetMs: number }

/**
 * pcapng: blocks of (type, length, body, length). The byte order is set by each Section Header Block;
 * each section has its own interfaces (link type, timestamp resolution); packets come in Enhanced,
 * Simple or (obsolete) Packet Blocks. Other blocks (name resolution, statistics, secrets, custom) are skipped.
 */
export class PcapngParser extends RecordParser {
  private le = false;
  private inSection = false;
  private ifaces: Iface[] = [];
  private lastTs = 0;
  /** A packet block was jumped over up to its trailing length: the next 4 bytes must repeat this length (-1: none due). */
  private trailerDue = -1;
  // The packet block located last (locate): link type, time, where its data starts, captured and wire lengths.
  private pLink = 0;
  private pTs = 0;
  private pData = 0;
  private pCap = 0;
  private pWire = 0;

  get started(): boolean {
    return this.inSection;
  }

  override get leftover(): number {
    return super.leftover + (this.trailerDue >= 0 ? 4 : 0);
  }

  protected wanted(b: Buffer, at: number): number {
    if (this.trailerDue >= 0) return 4;
    if (b.length < 12) return 12;
    const le = b.readUInt32BE(0) === PCAPNG_SHB ? b.readUInt32BE(8) === 0x4d3c2b1a : this.le;
    const len = le ? b.readUInt32LE(4) : b.readUInt32BE(4);
    if (len < 12 || len > MAX_PARSED_BLOCK) return 12;
    // A large packet block may be offered by its head (its captured length is at most the block's).
    const type = le ? b.readUInt32LE(0) : b.readUInt32BE(0);
    return (type === EPB || type === SPB || type === OPB) && this.headOnly(at, len, len) ? 28 + HEAD_BYTES : len;
  }

  protected parse(): number {
    const b = this.buf;
    let p = this.pos;
    if (this.trailerDue >= 0) {
      if (b.length - p < 4) return p;
      const trailer = this.u32(p);
      const len = this.trailerDue;
      if (trailer !== len) this.fail(`a block whose trailing length ${trailer} differs from its leading length ${len}`, p + 4 - len);
      this.trailerDue = -1;
      p += 4;
    }
    while (b.length - p >= 12) {
      const typeBE = b.readUInt32BE(p);
      if (typeBE === PCAPNG_SHB) {
        const bom = b.readUInt32BE(p + 8);
        if (bom === BYTE_ORDER_MAGIC) this.le = false;
        else if (bom === 0x4d3c2b1a) this.le = true;
        else this.fail('a section header block without the byte-order magic', p);
        this.inSection = true;
        this.ifaces = [];
      } else if (!this.inSection) {
        this.fail('a pcapng block before the first section header', p);
      }
      const le = this.le;
      const type = le ? b.readUInt32LE(p) : typeBE;
      const len = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
      if (len < 12 || len % 4 !== 0) this.fail(`a block of length ${len} (not a multiple of 4 of at least 12)`, p);
      const parsed = type === PCAPNG_SHB || type === IDB || type === EPB || type === SPB || type === OPB;
      if (len > (parsed ? MAX_PARSED_BLOCK : MAX_SKIPPED_BLOCK)) this.fail(`a block (type ${type}) of length ${len}: too long, taken as corrupt`, p);
      if (!parsed) {
        if (b.length - p < len) {
          this.skip = len - (b.length - p);
          return b.length;
        }
        p += len;
        continue;
      }
      if (b.length - p < len) {
        // Not all of it in this chunk: a large packet nobody follows is jumped over (capture-source), up
        // to its trailing length, which is checked when the reading goes on.
        if (type !== PCAPNG_SHB && type !== IDB && len >= SKIP_MIN && this.headOnly(this.base + p, len, len) && this.located(type, p, len) &&
          this.offerable(p, len, this.pData, this.pCap) && this.offer(p, len - 4, this.pLink, this.pTs, this.pData, this.pCap, this.pWire)) {
          this.lastTs = this.pTs;
          this.trailerDue = len;
          return b.length;
        }
        break;
      }
      const trailer = le ? b.readUInt32LE(p + len - 4) : b.readUInt32BE(p + len - 4);
      if (trailer !== len) this.fail(`a block whose trailing length ${trailer} differs from its leading length ${len}`, p);
      if (type === IDB) this.interface(p, len);
      else if (type !== PCAPNG_SHB) this.packet(type, p, len);
      p += len;
    }
    return p;
  }

  private u32(at: number): number {
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  private u16(at: number): number {
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }

  private interface(p: number, len: number): void {
    if (len < 20) this.fail('an interface description block shorter than 20 bytes', p);
    if (this.ifaces.length >= MAX_INTERFACES) this.fail(`more than ${MAX_INTERFACES} interfaces in one section`, p);
    const iface: Iface = { linkType: this.u16(p + 8), unitMs: 1e-3, offsetMs: 0 };
    // Options: code, length, value padded to 4 bytes, up to opt_endofopt (0) or the block's end.
    let o = p + 16;
    const end = p + len - 4;
    while (end - o >= 4) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        // if_tsresol: high bit clear = 10^-n seconds, set = 2^-n seconds.
        const r = this.buf[o + 4]!;
        const n = r & 0x7f;
        iface.unitMs = (r & 0x80 ? 2 ** -n : 10 ** -n) * 1000;
      } else if (code === 14 && olen >= 8) {
        // if_tsoffset: seconds added to every timestamp.
        const [hi, lo] = this.le ? [this.u32(o + 8), this.u32(o + 4)] : [this.u32(o + 4), this.u32(o + 8)];
        iface.offsetMs = (hi * 2 ** 32 + lo) * 1000;
      }
      o += 4 + olen + ((4 - (olen % 4)) % 4);
    }
    this.ifaces.push(iface);
  }

  /**
   * Locate a large packet block's packet for an offer: false when the block is malformed (it is then
   * read whole, and the error is the one the whole block gives, in the order it has always been checked).
   */
  private located(type: number, p: number, len: number): boolean {
    try {
      this.locate(type, p, len);
      return true;
    } catch {
      this.wholeAt = this.base + p;
      return false;
    }
  }

  /** Check a packet block's header and set pLink, pTs, pData, pCap, pWire from it (the block's header is in buf). */
  private locate(type: number, p: number, len: number): void {
    let ifIndex = 0;
    let caplen: number;
    let wire: number;
    let dataAt: number;
    let ts = this.lastTs;
    let iface: Iface | undefined;
    if (type === SPB) {
      if (len < 16) this.fail('a simple packet block shorter than 16 bytes', p);
      wire = this.u32(p + 8);
      caplen = Math.min(wire, len - 16);
      dataAt = p + 12;
      iface = this.ifaces[0];
    } else {
      if (len < 32) this.fail('a packet block shorter than 32 bytes', p);
      ifIndex = type === OPB ? this.u16(p + 8) : this.u32(p + 8);
      iface = this.ifaces[ifIndex];
      caplen = this.u32(p + 20);
      wire = this.u32(p + 24);
      dataAt = p + 28;
      if (caplen > len - 32) this.fail(`a packet block claims ${caplen} captured bytes in a block of ${len}`, p);
      if (iface) {
        // 64-bit timestamp in the interface's units (a double keeps what it can of nanoseconds).
        const units = this.u32(p + 12) * 2 ** 32 + this.u32(p + 16);
        ts = units * iface.unitMs + iface.offsetMs;
      }
    }
    if (!iface) this.fail(`a packet on interface ${ifIndex}, which no interface description block declared`, p);
    if (caplen > MAX_CAPLEN) this.fail(`a packet record claims ${caplen} captured bytes (more than ${MAX_CAPLEN})`, p);
    this.pLink = iface.linkType;
    this.pTs = ts;
    this.pData = dataAt;
    this.pCap = caplen;
    this.pWire = Math.max(wire, caplen);
  }

  private packet(type: number, p: number, len: number): void {
    this.locate(type, p, len);
    this.lastTs = this.pTs;
    this.onPacket(this.pLink, this.pTs, this.buf, this.pData, this.pCap, this.pWire);
  }
}
