import type { Readable } from 'node:stream';
import { emptyCaptureStats, type CaptureStats } from './capture/capture-stats.js';
import { readCapture, type CaptureInput } from './capture/capture-source.js';
import { decodeTcp } from './decode/decode-tcp.js';
import { newSegment } from './decode/tcp-segment.js';
import type { FlowHandlerFactory, FlowStart } from './flow.js';
import { FlowTable } from './reassembly/flow-table.js';
import { DEFAULT_REASSEMBLY_LIMITS, type ReassemblyLimits } from './reassembly/reassembly-limits.js';

/** Connections ended at the capture's end between two waits for the consumers (`between`). */
const END_BATCH = 256;

export interface ReadCaptureOptions {
  /** Server ports to follow (the scan's service/port map); undefined = every port (the lower port of a mid-stream pair serves). */
  watchPorts?: ReadonlySet<number>;
  limits?: Partial<ReassemblyLimits>;
  /** A flow handler (or the factory) threw: that flow is dropped, the capture goes on. */
  onHandlerError?: (err: unknown, start: FlowStart) => void;
  /** Counts to add to (default: new ones). */
  stats?: CaptureStats;
  /** Awaited after each chunk of capture is handled: the consumers' backpressure (e.g. records waiting for the bus). */
  between?: () => Promise<void> | void;
}

/**
 * Read captures in order (pcap or pcapng, gzip or not, files or standard input as '-'), reassemble
 * the TCP connections on watched ports, and hand each connection's bytes to the handler the factory
 * makes for it. One flow table spans all the captures (one capture cut into several files reads as
 * one). Resolves with the counts when every flow has ended; a file that is not a capture, or is
 * corrupt past reading, rejects with a WildtlsError naming it.
 */
export async function readCaptureFlows(
  inputs: CaptureInput | Readable | readonly CaptureInput[],
  factory: FlowHandlerFactory,
  opts: ReadCaptureOptions = {},
): Promise<CaptureStats> {
  const stats = opts.stats ?? emptyCaptureStats();
  const limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...opts.limits };
  const table = new FlowTable(factory, opts.watchPorts, limits, stats, opts.onHandlerError ?? (() => {}));
  const seg = newSegment();
  const onPacket = (linkType: number, ts: number, buf: Uint8Array, at: number, capLength: number, wireLength: number): void => {
    stats.packets++;
    stats.bytes += capLength;
    if (decodeTcp(linkType, buf, at, at + capLength, wireLength, seg, stats)) table.packet(seg, ts);
  };
  // A large packet of a capture file, by its first bytes: handled here, its payload never read, when
  // its flow wants no payload; else (or when its headers do not decode from these bytes) read whole.
  // Its counts are those onPacket would make: a packet and its captured bytes, a snap-length cut.
  const headStats = emptyCaptureStats(); // what decoding a head would count is not kept: the whole packet is counted
  const onHead = (linkType: number, ts: number, head: Uint8Array, capLength: number, wireLength: number): boolean => {
    if (!decodeTcp(linkType, head, 0, head.length, wireLength, seg, headStats)) return false;
    const payloadAt = seg.payloadAt; // the head was decoded from its first byte: the payload's offset in the frame
    if (!table.packetWithoutPayload(seg, ts)) return false;
    stats.packets++;
    stats.bytes += capLength;
    if (capLength - payloadAt < seg.payloadLength) stats.snaplenCut++;
    return true;
  };
  const list: readonly CaptureInput[] = Array.isArray(inputs)
    ? inputs
    : [typeof inputs === 'string' || 'name' in (inputs as object) && 'stream' in (inputs as object) ? (inputs as CaptureInput) : { name: 'stream', stream: inputs as Readable }];
  try {
    for (const input of list) await readCapture(input, onPacket, stats, opts.between, onHead);
  } finally {
    // Connections still open end with the capture, a batch at a time with the consumers' backpressure
    // in between: a capture that ends with 100,000 of them does not queue all their records at once.
    while (table.endSome(END_BATCH)) await opts.between?.();
  }
  return stats;
}
