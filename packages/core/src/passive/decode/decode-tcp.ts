import type { CaptureStats } from '../capture/capture-stats.js';
import { ipv4At, ipv4Text, ipv6Text } from './ip-text.js';
import { ipOffset, NOT_IP, TRUNCATED, UNKNOWN_LINK } from './link-layer.js';
import type { TcpSegment } from './tcp-segment.js';

/** IPv6 extension headers followed before giving up on a packet (a bounded chain). */
const MAX_IPV6_EXTENSIONS = 8;

/**
 * Decode one captured frame, the bytes d[f, end) (a capture chunk and where the frame is in it: no
 * view is made of a frame), down to its TCP segment, into `seg`. Returns false (and counts why in
 * stats) for what is not a whole-enough TCP segment: other link types, non-IP, non-TCP, later IP
 * fragments, a header cut by the snap length. A payload cut by the snap length is kept as far as
 * captured; seg.payloadLength says how long it was.
 */
export function decodeTcp(linkType: number, d: Uint8Array, f: number, end: number, wireLength: number, seg: TcpSegment, stats: CaptureStats): boolean {
  const ip = ipOffset(linkType, d, f, end);
  if (ip < 0) {
    if (ip === UNKNOWN_LINK) stats.skippedLinkTypes[linkType] = (stats.skippedLinkTypes[linkType] ?? 0) + 1;
    else if (ip === NOT_IP) stats.nonIp++;
    else if (ip === TRUNCATED) stats.truncatedPackets++;
    return false;
  }
  if (end < ip + 1) { stats.truncatedPackets++; return false; }
  const version = d[ip]! >> 4;
  let tcp: number;
  let ipEnd: number; // where the IP packet ends per its header (may be past the captured bytes)
  if (version === 4) {
    if (end < ip + 20) { stats.truncatedPackets++; return false; }
    const ihl = (d[ip]! & 0x0f) * 4;
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    if (ihl < 20 || end < ip + ihl) { stats.truncatedPackets++; return false; }
    const frag = ((d[ip + 6]! << 8) | d[ip + 7]!) & 0x1fff;
    if (frag !== 0) { stats.fragmentsSkipped++; return false; }
    if (d[ip + 9] !== 6) { stats.nonTcp++; return false; }
    // A total length of 0 is TCP segmentation offload on the capturing host: the frame's length is the truth.
    ipEnd = total === 0 ? f + wireLength : ip + total;
    if (total !== 0 && total < ihl) { stats.truncatedPackets++; return false; }
    seg.srcV4 = ipv4At(d, ip + 12);
    seg.dstV4 = ipv4At(d, ip + 16);
    seg.srcIp = ipv4Text(seg.srcV4, d, ip + 12);
    seg.dstIp = ipv4Text(seg.dstV4, d, ip + 16);
    tcp = ip + ihl;
  } else if (version === 6) {
    if (end < ip + 40) { stats.truncatedPackets++; return false; }
    const payloadLen = (d[ip + 4]! << 8) | d[ip + 5]!;
    ipEnd = payloadLen === 0 ? f + wireLength : ip + 40 + payloadLen; // 0: a jumbogram or offload
    let next = d[ip + 6]!;
    let at = ip + 40;
    for (let n = 0; next !== 6; n++) {
      if (n === MAX_IPV6_EXTENSIONS) { stats.truncatedPackets++; return false; }
      if (next === 0 || next === 43 || next === 60) {
        // Hop-by-hop, routing, destination options: length in 8-byte units, not counting the first 8.
        if (end < at + 2) { stats.truncatedPackets++; return false; }
        const len = (d[at + 1]! + 1) * 8;
        next = d[at]!;
        at += len;
      } else if (next === 44) {
        if (end < at + 8) { stats.truncatedPackets++; return false; }
        const offset = ((d[at + 2]! << 8) | d[at + 3]!) >> 3;
        if (offset !== 0) { stats.fragmentsSkipped++; return false; }
        next = d[at]!;
        at += 8;
      } else if (next === 51) {
        // Authentication header: length in 4-byte units, not counting the first 8 bytes.
        if (end < at + 2) { stats.truncatedPackets++; return false; }
        const len = (d[at + 1]! + 2) * 4;
        next = d[at]!;
        at += len;
      } else {
        stats.nonTcp++; // ESP, no next header, ICMPv6, UDP...
        return false;
      }
    }
    seg.srcV4 = -1;
    seg.dstV4 = -1;
    seg.srcIp = ipv6Text(d, ip + 8);
    seg.dstIp = ipv6Text(d, ip + 24);
    tcp = at;
  } else {
    stats.nonIp++;
    return false;
  }
  ipEnd = Math.min(ipEnd, f + wireLength); // a length past the frame on the wire is a lie
  if (end < tcp + 20) { stats.truncatedPackets++; return false; }
  const dataOffset = (d[tcp + 12]! >> 4) * 4;
  if (dataOffset < 20 || end < tcp + dataOffset || ipEnd < tcp + dataOffset) { stats.truncatedPackets++; return false; }
  seg.srcPort = (d[tcp]! << 8) | d[tcp + 1]!;
  seg.dstPort = (d[tcp + 2]! << 8) | d[tcp + 3]!;
  seg.seq = ((d[tcp + 4]! << 24) | (d[tcp + 5]! << 16) | (d[tcp + 6]! << 8) | d[tcp + 7]!) >>> 0;
  seg.ack = ((d[tcp + 8]! << 24) | (d[tcp + 9]! << 16) | (d[tcp + 10]! << 8) | d[tcp + 11]!) >>> 0;
  seg.flags = d[tcp + 13]!;
  const start = tcp + dataOffset;
  // Ethernet pads short frames: the IP length, not the frame, says where the payload ends.
  seg.payloadLength = ipEnd - start;
  const payloadEnd = Math.min(ipEnd, end);
  seg.bytes = d;
  seg.payloadAt = start;
  seg.captured = Math.max(0, payloadEnd - start);
  if (seg.captured < seg.payloadLength) stats.snaplenCut++;
  return true;
}
