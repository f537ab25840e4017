/** One decoded TCP segment. A single object is reused for every packet (no allocation per packet). */
export interface TcpSegment {
  srcIp: string;
  dstIp: string;
  /** The IPv4 addresses as 32-bit numbers; -1 for IPv6 (its text is the address). */
  srcV4: number;
  dstV4: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10). */
  flags: number;
  /**
   * The captured payload: `captured` bytes at `payloadAt` in `bytes` (the bytes the frame was decoded
   * from, valid during the packet's processing only). No view is made of it unless it is read: most
   * are ACKs, retransmissions, or bytes of connections whose follower has all it wants.
   */
  bytes: Uint8Array;
  payloadAt: number;
  captured: number;
  /** The payload's length per the IP header: more than `captured` when the snap length cut it. */
  payloadLength: number;
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

/** The payload of a segment with none captured. */
const NO_PAYLOAD = new Uint8Array(0);

export function newSegment(): TcpSegment {
  return { srcIp: '', dstIp: '', srcV4: -1, dstV4: -1, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, bytes: NO_PAYLOAD, payloadAt: 0, captured: 0, payloadLength: 0 };
}
