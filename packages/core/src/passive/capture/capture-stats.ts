/** What reading captures saw, for the stats summary on stderr (every count is per packet unless named otherwise). */
export interface CaptureStats {
  files: number;
  /** Packet records read from the captures. */
  packets: number;
  /** Captured bytes of those packets (caplen, not the length on the wire), those not read included. */
  bytes: number;
  /**
   * Bytes of capture files jumped over, never read: the rest of large packets whose connection nobody
   * follows any more (or no one follows), past their headers. Those packets count in packets and bytes.
   */
  bytesNotRead: number;
  /** TCP connections seen on a watched port (each 4-tuple once per SYN or mid-stream start). */
  flows: number;
  /** Of those, connections a handler followed (the factory returned a handler). */
  flowsWatched: number;
  /** Packets of a link type wildtls does not decode, by link type number. */
  skippedLinkTypes: Record<string, number>;
  /** Packets whose link layer carried neither IPv4 nor IPv6 (ARP, LLDP...). */
  nonIp: number;
  /** IP packets that were not TCP. */
  nonTcp: number;
  /** Packets cut (caplen) before the end of their TCP header, or with inconsistent headers: skipped. */
  truncatedPackets: number;
  /** TCP packets whose payload was cut by the snap length: the missing part is reported as a gap. */
  snaplenCut: number;
  /** IP fragments after the first (skipped: wildtls does not reassemble IP fragments). */
  fragmentsSkipped: number;
  /** Captures that ended inside a record (a partial header or packet at the end). */
  truncatedFiles: number;
  /** Bytes reported through gap() (holes in the capture), and how many holes. */
  gapBytes: number;
  gaps: number;
  /** Flows ended early: 'idle' because the flow table was full, 'buffer-cap' by the hold caps. */
  evictedFlows: number;
  /** Exceptions thrown by a flow handler (that flow is then dropped). */
  handlerErrors: number;
}

export function emptyCaptureStats(): CaptureStats {
  return {
    files: 0, packets: 0, bytes: 0, bytesNotRead: 0, flows: 0, flowsWatched: 0, skippedLinkTypes: {}, nonIp: 0, nonTcp: 0,
    truncatedPackets: 0, snaplenCut: 0, fragmentsSkipped: 0, truncatedFiles: 0, gapBytes: 0, gaps: 0,
    evictedFlows: 0, handlerErrors: 0,
  };
}
