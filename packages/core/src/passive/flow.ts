// The interface between TCP reassembly (capture reading) and the per-connection followers that
// build passive records from the reassembled bytes (issue 16; contract in the passive briefs).

export interface FlowKey { clientIp: string; clientPort: number; serverIp: string; serverPort: number }

export interface FlowStart extends FlowKey {
  /** Capture time of the first packet seen, ms since the epoch (fractional: micro/nanosecond precision kept as far as a double allows). */
  ts: number;
  /**
   * true when the SYN was not seen (the capture began mid-connection); client/server then guessed by port.
   * A SYN-ACK seen without its SYN counts as seen (false): the start and who is who are known, no byte was missed.
   */
  midStream: boolean;
}

/** Who SENT the bytes. */
export type FlowDirection = 'client' | 'server';

export type FlowEndReason = 'fin' | 'rst' | 'idle' | 'capture-end' | 'buffer-cap';

export interface FlowHandler {
  /**
   * In-order bytes of one direction, each byte delivered once (retransmissions and overlaps resolved).
   * The bytes are valid during the call only (they may be a view into the capture's read buffer): copy what you keep.
   */
  data(dir: FlowDirection, bytes: Uint8Array, ts: number): void;
  /** Bytes that never arrived in the capture (a hole the reassembler skipped over). */
  gap(dir: FlowDirection, missingBytes: number, ts: number): void;
  /** Called once; after it no more calls. */
  end(reason: FlowEndReason, ts: number): void;
  /** Optional: the handler has all it wants; the reassembler may stop buffering this flow (bytes after are dropped cheaply). */
  readonly done?: boolean;
}

/** Called for each new TCP connection whose server port is watched; undefined = ignore this flow. */
export type FlowHandlerFactory = (start: FlowStart) => FlowHandler | undefined;
