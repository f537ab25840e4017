/** Bounds of the TCP reassembly (every one by capture time or by count, never by wall clock). */
export interface ReassemblyLimits {
  /** Connections tracked at once; past it the least recently active one is ended ('idle'). */
  maxFlows: number;
  /** A connection with no packet for this long (capture time) is ended ('idle'). */
  idleTimeoutMs: number;
  /** A hole older than this (capture time) is given up on and reported as a gap. */
  holeTimeoutMs: number;
  /** Bytes held ahead of a hole, per direction of one connection. */
  maxHeldBytesPerDirection: number;
  /** Pieces held ahead of holes, per direction (bounds the cost of keeping them sorted). */
  maxHeldSegmentsPerDirection: number;
  /** Bytes held ahead of holes over all connections. */
  maxHeldBytesTotal: number;
  /** When a hold cap is hit: give up on the hole ('gap', the default) or end the connection ('end': reason 'buffer-cap'). */
  bufferCapAction: 'gap' | 'end';
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxFlows: 200_000,
  idleTimeoutMs: 300_000,
  holeTimeoutMs: 10_000,
  maxHeldBytesPerDirection: 256 * 1024,
  maxHeldSegmentsPerDirection: 512,
  maxHeldBytesTotal: 256 * 1024 * 1024,
  bufferCapAction: 'gap',
};
