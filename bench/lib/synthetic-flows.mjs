import { createWriteStream } from 'node:fs';

/**
 * A synthetic pcap (raw IP) of `flows` SYN + data flows to port 443, none ended: all SYNs, then one
 * data packet of `payload` bytes per flow (0x16 filler; with `helloHead`, a TLS record header and
 * ClientHello start whose record is longer than the payload, so a TLS follower holds it, waiting).
 * Addresses are only bytes in the file (10.x.y.z to 192.0.2.1): nothing is sent anywhere.
 */
export async function makeFlows(file, flows, { payload = 200, helloHead = false } = {}) {
  const out = createWriteStream(file);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6); hdr.writeUInt32LE(262144, 16); hdr.writeUInt32LE(101, 20);
  out.write(hdr);
  const packet = (i, syn, t) => {
    const len = 40 + (syn ? 0 : payload);
    const b = Buffer.alloc(16 + len, 0x16);
    b.writeUInt32LE(1_700_000_000 + Math.floor(t / 1e6), 0); b.writeUInt32LE(t % 1e6, 4); b.writeUInt32LE(len, 8); b.writeUInt32LE(len, 12);
    const ip = 16;
    b.writeUInt8(0x45, ip); b.writeUInt8(0, ip + 1); b.writeUInt16BE(len, ip + 2); b.writeUInt32BE(0, ip + 4); b.writeUInt8(64, ip + 8); b.writeUInt8(6, ip + 9); b.writeUInt16BE(0, ip + 10);
    b.writeUInt32BE(((10 << 24) | (i >>> 8)) >>> 0, ip + 12); b.writeUInt32BE(((192 << 24) | (2 << 8) | 1) >>> 0, ip + 16);
    const tcp = ip + 20;
    b.writeUInt16BE(1024 + (i & 0xff), tcp); b.writeUInt16BE(443, tcp + 2); b.writeUInt32BE(syn ? 999 : 1000, tcp + 4); b.writeUInt32BE(0, tcp + 8);
    b.writeUInt8(0x50, tcp + 12); b.writeUInt8(syn ? 0x02 : 0x18, tcp + 13); b.writeUInt16BE(65535, tcp + 14); b.writeUInt32BE(0, tcp + 16);
    if (helloHead && !syn) Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]).copy(b, tcp + 20);
    return b;
  };
  for (let i = 0; i < flows; i++) { if (!out.write(packet(i, true, i * 10))) await new Promise((r) => out.once('drain', r)); }
  for (let i = 0; i < flows; i++) { if (!out.write(packet(i, false, flows * 10 + i * 10))) await new Promise((r) => out.once('drain', r)); }
  await new Promise((r) => out.end(r));
}
