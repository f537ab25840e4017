/** Link types (LINKTYPE_* numbers of the pcap and pcapng formats) that wildtls decodes. */
export const LINK_NULL = 0; // BSD loopback: 4-byte address family in the capturing host's byte order
export const LINK_ETHERNET = 1;
export const LINK_RAW_12 = 12; // raw IP on some BSDs (DLT_RAW's number there)
export const LINK_RAW_14 = 14; // raw IP on others
export const LINK_RAW = 101;
export const LINK_LOOP = 108; // OpenBSD loopback: address family in network byte order
export const LINK_SLL = 113; // Linux cooked v1 (tcpdump -i any before libpcap 1.10)
export const LINK_IPV4 = 228;
export const LINK_IPV6 = 229;
export const LINK_SLL2 = 276; // Linux cooked v2

/** VLAN tags one frame may stack (802.1Q, 802.1ad QinQ, old 0x9100): more is taken as malformed. */
const MAX_VLAN_TAGS = 4;

/** Result codes of ipOffset besides an offset. */
export const NOT_IP = -1;
export const TRUNCATED = -2;
export const UNKNOWN_LINK = -3;

/** Address families of IPv6 as BSDs number them (the null/loop header's value): 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS. */
const AF_INET6 = new Set([10, 24, 28, 30]);

function fromEtherType(type: number, at: number): number {
  return type === 0x0800 || type === 0x86dd ? at : NOT_IP;
}

function fromFamily(family: number, at: number): number {
  return family === 2 || AF_INET6.has(family) ? at : NOT_IP;
}

/**
 * Where the IP header starts (an offset in d) in a frame of this link type, the frame's bytes being
 * d[f, end); or NOT_IP / TRUNCATED / UNKNOWN_LINK. The IP version is read from the IP header itself.
 */
export function ipOffset(linkType: number, d: Uint8Array, f: number, end: number): number {
  switch (linkType) {
    case LINK_ETHERNET: {
      if (end - f < 14) return TRUNCATED;
      let at = f + 12;
      let type = (d[at]! << 8) | d[at + 1]!;
      for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; tags++) {
        if (tags === MAX_VLAN_TAGS) return NOT_IP;
        at += 4;
        if (end < at + 2) return TRUNCATED;
        type = (d[at]! << 8) | d[at + 1]!;
      }
      return fromEtherType(type, at + 2);
    }
    case LINK_SLL:
      if (end - f < 16) return TRUNCATED;
      return fromEtherType((d[f + 14]! << 8) | d[f + 15]!, f + 16);
    case LINK_SLL2:
      if (end - f < 20) return TRUNCATED;
      return fromEtherType((d[f]! << 8) | d[f + 1]!, f + 20);
    case LINK_RAW:
    case LINK_RAW_12:
    case LINK_RAW_14:
    case LINK_IPV4:
    case LINK_IPV6:
      return f;
    case LINK_NULL:
    case LINK_LOOP: {
      if (end - f < 4) return TRUNCATED;
      // The family's byte order is the capturing host's: a small number in either order is taken.
      const be = ((d[f]! << 24) | (d[f + 1]! << 16) | (d[f + 2]! << 8) | d[f + 3]!) >>> 0;
      const le = ((d[f + 3]! << 24) | (d[f + 2]! << 16) | (d[f + 1]! << 8) | d[f]!) >>> 0;
      return fromFamily(be < 256 ? be : le, f + 4);
    }
    default:
      return UNKNOWN_LINK;
  }
}
