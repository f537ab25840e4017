// A declarative description of packets and captures for the passive tests: each field is written
// from its RFC layout (the test's truth), never by calling the parser under test.

export interface TcpSpec {
  src: string; // "10.0.0.1" or an IPv6 text with ':'
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags?: string; // letters: S F R A P
  payload?: Uint8Array | string;
  /** Claimed payload length in the IP header (default: the payload's); more = snaplen-cut. */
  ipPayloadLength?: number;
  ipOptions?: number; // IPv4 option bytes (multiple of 4)
  fragmentOffset?: number; // IPv4 fragment offset in 8-byte units (non-first fragment)
  moreFragments?: boolean;
  v6Extensions?: number[]; // IPv6 extension header numbers (0, 43, 60: 8 bytes each; 44: fragment header)
  v6FragmentOffset?: number;
}

const enc = new TextEncoder();

function bytes(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  return typeof p === 'string' ? enc.encode(p) : p;
}

function ip4(s: string): number[] {
  return s.split('.').map(Number);
}

function ip6(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function tcpHeader(t: TcpSpec): number[] {
  const f = t.flags ?? 'A';
  const flags = (f.includes('F') ? 1 : 0) | (f.includes('S') ? 2 : 0) | (f.includes('R') ? 4 : 0) | (f.includes('P') ? 8 : 0) | (f.includes('A') ? 16 : 0);
  // 20-byte header (data offset 5), window 65535, checksum 0 (captures on lo carry any).
  return [...be16(t.sport), ...be16(t.dport), ...be32(t.seq >>> 0), ...be32((t.ack ?? 0) >>> 0), 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
}

/** An IP packet (v4 or v6 by the address text) carrying one TCP segment. */
export function ipPacket(t: TcpSpec): Uint8Array {
  const payload = bytes(t.payload);
  const tcp = [...tcpHeader(t), ...payload];
  const claimed = 20 + (t.ipPayloadLength ?? payload.length);
  if (t.src.includes(':')) {
    const ext: number[] = [];
    const chain = t.v6Extensions ?? [];
    for (let i = 0; i < chain.length; i++) {
      const next = i + 1 < chain.length ? chain[i + 1]! : 6;
      if (chain[i] === 44) ext.push(next, 0, ...be16(((t.v6FragmentOffset ?? 0) << 3) | 1), 0, 0, 0, 1);
      else ext.push(next, 0, 1, 4, 0, 0, 0, 0); // 8 bytes: next, length 0, PadN option
    }
    const first = chain.length ? chain[0]! : 6;
    return new Uint8Array([0x60, 0, 0, 0, ...be16(ext.length + claimed), first, 64, ...ip6(t.src), ...ip6(t.dst), ...ext, ...tcp]);
  }
  const opts = t.ipOptions ?? 0;
  const ihl = 20 + opts;
  const frag = ((t.moreFragments ? 0x2000 : 0) | (t.fragmentOffset ?? 0)) & 0xffff;
  return new Uint8Array([0x40 | (ihl / 4), 0, ...be16(ihl + claimed), 0, 1, ...be16(frag), 64, 6, 0, 0, ...ip4(t.src), ...ip4(t.dst), ...Array(opts).fill(1), ...tcp]);
}

export type Link = 'ethernet' | 'vlan' | 'qinq' | 'sll' | 'sll2' | 'raw' | 'null' | 'loop' | 'raw12' | 'raw14';

export const LINK_TYPES: Record<Link, number> = { ethernet: 1, vlan: 1, qinq: 1, sll: 113, sll2: 276, raw: 101, null: 0, loop: 108, raw12: 12, raw14: 14 };

/** The frame of an IP packet on a link. */
export function frame(link: Link, ip: Uint8Array): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  const etherType = be16(v6 ? 0x86dd : 0x0800);
  const macs = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  let head: number[];
  switch (link) {
    case 'ethernet': head = [...macs, ...etherType]; break;
    case 'vlan': head = [...macs, 0x81, 0x00, 0, 10, ...etherType]; break;
    case 'qinq': head = [...macs, 0x88, 0xa8, 0, 20, 0x81, 0x00, 0, 10, ...etherType]; break;
    // SLL: packet type, ARPHRD, address length, 8 address bytes, protocol.
    case 'sll': head = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...etherType]; break;
    // SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address bytes.
    case 'sll2': head = [...etherType, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]; break;
    case 'null': head = v6 ? [30, 0, 0, 0] : [2, 0, 0, 0]; break; // host (little-endian) byte order
    case 'loop': head = v6 ? [0, 0, 0, 24] : [0, 0, 0, 2]; break; // network byte order
    default: head = [];
  }
  const out = new Uint8Array(head.length + ip.length);
  out.set(head);
  out.set(ip, head.length);
  return out;
}

export interface CapturedPacket { ts: number /* ms */; data: Uint8Array; wireLength?: number }

/** A classic pcap file: magic in the given byte order, micro- or nanosecond timestamps. */
export function pcapFile(linkType: number, packets: CapturedPacket[], opts: { le?: boolean; nano?: boolean } = {}): Buffer {
  const le = opts.le ?? true;
  const u32 = (n: number) => { const b = Buffer.alloc(4); if (le) b.writeUInt32LE(n >>> 0); else b.writeUInt32BE(n >>> 0); return b; };
  const u16 = (n: number) => { const b = Buffer.alloc(2); if (le) b.writeUInt16LE(n); else b.writeUInt16BE(n); return b; };
  const parts = [u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(linkType)];
  for (const p of packets) {
    const sec = Math.floor(p.ts / 1000);
    const frac = opts.nano ? Math.round((p.ts - sec * 1000) * 1e6) : Math.round((p.ts - sec * 1000) * 1e3);
    parts.push(u32(sec), u32(frac), u32(p.data.length), u32(p.wireLength ?? p.data.length), Buffer.from(p.data));
  }
  return Buffer.concat(parts);
}

export interface PcapngInterface {
  linkType: number;
  tsresol?: number;
  /** Its Interface Description Block comes after this many of the section's packets (default 0: before them; in index order). */
  afterPackets?: number;
}
export interface PcapngPacket extends CapturedPacket { iface?: number; block?: 'epb' | 'spb' | 'opb' }
export interface PcapngSection { le?: boolean; interfaces: PcapngInterface[]; packets: PcapngPacket[]; unknownBlocks?: number }

/** A pcapng file of one or more sections (each with its byte order, interfaces and packets). */
export function pcapngFile(sections: PcapngSection[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of sections) {
    const le = s.le ?? true;
    const u32 = (n: number) => { const b = Buffer.alloc(4); if (le) b.writeUInt32LE(n >>> 0); else b.writeUInt32BE(n >>> 0); return b; };
    const u16 = (n: number) => { const b = Buffer.alloc(2); if (le) b.writeUInt16LE(n); else b.writeUInt16BE(n); return b; };
    const block = (type: number, body: Buffer) => {
      const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
      const len = 12 + body.length + pad.length;
      parts.push(u32(type), u32(len), body, pad, u32(len));
    };
    // SHB: byte-order magic, version 1.0, section length -1.
    block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), Buffer.alloc(8, 0xff)]));
    const idb = (i: PcapngInterface) => {
      const opts = i.tsresol === undefined ? Buffer.alloc(0) : Buffer.concat([u16(9), u16(1), Buffer.from([i.tsresol, 0, 0, 0]), u16(0), u16(0)]);
      block(1, Buffer.concat([u16(i.linkType), u16(0), u32(262144), opts]));
    };
    let written = 0; // interfaces written
    const idbsUpTo = (packets: number) => {
      while (written < s.interfaces.length && (s.interfaces[written]!.afterPackets ?? 0) <= packets) idb(s.interfaces[written++]!);
    };
    idbsUpTo(0);
    for (let n = 0; n < (s.unknownBlocks ?? 0); n++) block(0x00000bad + n, Buffer.alloc(8 + 4 * n, 7));
    for (const [index, p] of s.packets.entries()) {
      idbsUpTo(index);
      const iface = p.iface ?? 0;
      const resol = s.interfaces[iface]?.tsresol ?? 6;
      const units = BigInt(Math.round(p.ts * 1e6)) * 10n ** BigInt(resol) / 1_000_000_000n; // ts in ms -> ns -> units
      const hi = Number(units >> 32n);
      const lo = Number(units & 0xffffffffn);
      const data = Buffer.from(p.data);
      const wire = p.wireLength ?? data.length;
      if (p.block === 'spb') block(3, Buffer.concat([u32(wire), data]));
      else if (p.block === 'opb') block(2, Buffer.concat([u16(iface), u16(0), u32(hi), u32(lo), u32(data.length), u32(wire), data]));
      else block(6, Buffer.concat([u32(iface), u32(hi), u32(lo), u32(data.length), u32(wire), data]));
    }
  }
  return Buffer.concat(parts);
}
