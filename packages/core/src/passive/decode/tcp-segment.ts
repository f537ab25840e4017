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
  /** The captured payload bytes (valid during the packet's processing only; one shared empty array when none was captured). */
  payload: Uint8Array;
  /** Where the payload starts in the decoded frame's bytes. */
  payloadOffset: number;
  /** The payload's length per the IP header: more than payload.length when the snap length cut it. */
  payloadLength: number;
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

/** The payload of a segment with none captured (most are ACKs): no view is made for it. */
export const NO_PAYLOAD = new Uint8Array(0);

export function newSegment(): TcpSegment {
  return { srcIp: '', dstIp: '', srcV4: -1, dstV4: -1, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, payload: NO_PAYLOAD, payloadOffset: 0, payloadLength: 0 };
}
