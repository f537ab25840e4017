import type { CaptureStats } from '../capture/capture-stats.js';
import { ACK, FIN, RST, SYN, type TcpSegment } from '../decode/tcp-segment.js';
import type { FlowHandler, FlowHandlerFactory, FlowStart } from '../flow.js';
import type { ReassemblyLimits } from './reassembly-limits.js';
import type { StreamDirection } from './stream-direction.js';
import { TcpFlow, type FlowOwner } from './tcp-flow.js';

/** How often (capture time) idle flows and old holes are looked for. */
const SWEEP_EVERY_MS = 1000;
const SRC_CLIENT = 1;
const DST_CLIENT = 2;
/** Slots of the table of recently active flows by port pair (a power of two). */
const RECENT_SLOTS = 256;

/** A packet's slot among the recent flows: by its two ports, the same for both directions. */
function recentSlot(seg: TcpSegment): number {
  return (seg.srcPort ^ seg.dstPort) & (RECENT_SLOTS - 1);
}

/** The packet is of the connection that started so (either direction). */
function sameConnection(s: FlowStart, seg: TcpSegment): boolean {
  return seg.srcPort === s.clientPort ? seg.dstPort === s.serverPort && seg.srcIp === s.clientIp && seg.dstIp === s.serverIp
    : seg.srcPort === s.serverPort && seg.dstPort === s.clientPort && seg.srcIp === s.serverIp && seg.dstIp === s.clientIp;
}

/**
 * A connection's key: its 4-tuple, the lower endpoint first, so that both directions find the same
 * entry. IPv4: six 16-bit characters (address halves and port of each end), a short flat string
 * whose hash is quick to make (the text form cost a Map lookup about a microsecond); IPv6: the
 * addresses' text and the ports (longer than six characters: never an IPv4 key).
 */
function flowKey(seg: TcpSegment): string {
  const a = seg.srcV4;
  const b = seg.dstV4;
  if (a >= 0 && b >= 0) {
    return a < b || (a === b && seg.srcPort < seg.dstPort)
      ? String.fromCharCode(a >>> 16, a & 0xffff, seg.srcPort, b >>> 16, b & 0xffff, seg.dstPort)
      : String.fromCharCode(b >>> 16, b & 0xffff, seg.dstPort, a >>> 16, a & 0xffff, seg.srcPort);
  }
  const srcFirst = seg.srcIp < seg.dstIp || (seg.srcIp === seg.dstIp && seg.srcPort < seg.dstPort);
  return srcFirst ? `${seg.srcIp} ${seg.srcPort} ${seg.dstIp} ${seg.dstPort}` : `${seg.dstIp} ${seg.dstPort} ${seg.srcIp} ${seg.srcPort}`;
}

/**
 * The connections of a capture, keyed by their 4-tuple (the lower endpoint first, so both directions
 * find the same entry), and linked in least-recently-active order (a flow moves to the back on each
 * packet: two links changed, no Map entry removed and added), so idle expiry and eviction at the
 * cap take from the front.
 */
export class FlowTable implements FlowOwner {
  private readonly flows = new Map<string, TcpFlow>();
  /** The least recently active flow; `back` is the most recently active (the list runs through TcpFlow.older/newer). */
  private front: TcpFlow | undefined;
  /** Flows holding bytes ahead of a hole (for the hole timeout between their packets). */
  private readonly holding = new Set<TcpFlow>();
  private heldTotal = 0;
  private now = -Infinity;
  private lastSweep = -Infinity;
  /**
   * The most recently active flow, or undefined when there is none: a packet of the same connection
   * as the one before (most are) finds it without building the key, and it need not be moved back.
   */
  private back: TcpFlow | undefined;
  /**
   * Flows in the table that were recently active, by their ports' slot (recentSlot; a slot holds the
   * last one there): a packet of one of a few connections in turn finds its flow without building its key.
   */
  private readonly recent: Array<TcpFlow | undefined> = new Array<TcpFlow | undefined>(RECENT_SLOTS).fill(undefined);
  /** The key lookup() last built and found no flow under: the packet handled next (the same one) starts its flow under it. */
  private missedKey = '';

  constructor(
    private readonly factory: FlowHandlerFactory,
    private readonly watchPorts: ReadonlySet<number> | undefined,
    private readonly limits: ReassemblyLimits,
    private readonly stats: CaptureStats,
    private readonly onHandlerError: (err: unknown, start: FlowStart) => void,
  ) {}

  get size(): number {
    return this.flows.size;
  }

  get heldBytes(): number {
    return this.heldTotal;
  }

  private watched(port: number): boolean {
    return this.watchPorts === undefined || this.watchPorts.has(port);
  }

  /**
   * A packet whose payload was not read (only its headers; seg.captured says what was): handled as
   * packet() would handle it whole, and true, when nothing would read its payload: its flow is ended
   * or done (only FIN/RST and activity still count), or it belongs to no flow and starts none (no
   * watched port, or an RST). false, having changed nothing the packet's later packet() would not
   * (the sweep it is due), when the payload may be wanted: then the whole packet is to be given to packet().
   */
  packetWithoutPayload(seg: TcpSegment, ts: number): boolean {
    this.advance(ts);
    const flow = this.lookup(seg);
    if (flow) {
      const newSyn = (seg.flags & (SYN | ACK)) === SYN && flow.synSeq !== seg.seq;
      if (newSyn || (!flow.closed && !flow.done)) return false;
    } else if (this.sides(seg) !== undefined) {
      return false;
    }
    this.handle(seg, ts, flow);
    return true;
  }

  packet(seg: TcpSegment, ts: number): void {
    this.advance(ts);
    this.handle(seg, ts, this.lookup(seg));
  }

  /** Capture time moves on to ts; the sweep runs when it is due. */
  private advance(ts: number): void {
    if (ts > this.now) this.now = ts;
    if (this.now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep();
  }

  /** The packet's flow, if it has one: the last active flow, when it is the same connection, without building the key. */
  private lookup(seg: TcpSegment): TcpFlow | undefined {
    const back = this.back;
    if (back !== undefined && sameConnection(back.start, seg)) return back;
    const slot = recentSlot(seg);
    const recent = this.recent[slot];
    if (recent !== undefined && sameConnection(recent.start, seg)) return recent;
    const key = flowKey(seg);
    const flow = this.flows.get(key);
    if (flow !== undefined) this.recent[slot] = flow;
    else this.missedKey = key;
    return flow;
  }

  /** Link the flow at the back (the most recently active). */
  private append(flow: TcpFlow): void {
    flow.older = this.back;
    flow.newer = undefined;
    if (this.back) this.back.newer = flow;
    else this.front = flow;
    this.back = flow;
  }

  private unlink(flow: TcpFlow): void {
    if (flow.older === undefined && flow.newer === undefined && this.front !== flow) return; // not linked
    if (flow.older) flow.older.newer = flow.newer;
    else this.front = flow.newer;
    if (flow.newer) flow.newer.older = flow.older;
    else this.back = flow.older;
    flow.older = undefined;
    flow.newer = undefined;
  }

  /** The flow leaves the table: out of the activity order and no longer among the recent ones. */
  private forget(flow: TcpFlow): void {
    this.unlink(flow);
    const slot = (flow.start.clientPort ^ flow.start.serverPort) & (RECENT_SLOTS - 1);
    if (this.recent[slot] === flow) this.recent[slot] = undefined;
  }

  /** One packet, given the flow lookup() found for it. */
  private handle(seg: TcpSegment, ts: number, found: TcpFlow | undefined): void {
    const syn = (seg.flags & (SYN | ACK)) === SYN;
    let flow = found;
    if (!flow || (syn && flow.synSeq !== seg.seq)) {
      // A SYN with another initial sequence number is a new connection on the same ports: the old one
      // (ended, or never seen to end) gives way.
      if (flow) {
        if (flow.open) this.expire(flow, 'idle', ts);
        else this.remove(flow);
      }
      // No flow found: lookup() built this packet's key (and found nothing under it).
      flow = this.create(flow ? flow.key : this.missedKey, seg, ts);
      if (!flow) return;
    } else if (flow !== this.back) {
      // Least recently active first: move to the back.
      this.unlink(flow);
      this.append(flow);
    }
    flow.lastTs = ts;
    if (flow.closed) return;
    const fromClient = seg.srcPort === flow.start.clientPort && seg.srcIp === flow.start.clientIp;
    if (flow.done) {
      this.doneFlowPacket(flow, seg, fromClient, ts);
      return;
    }
    const before = flow.heldBytes;
    this.follow(flow, seg, fromClient, ts, before);
    this.account(flow, before);
  }

  private follow(flow: TcpFlow, seg: TcpSegment, fromClient: boolean, ts: number, heldBefore: number): void {
    const dir = fromClient ? flow.client : flow.server;
    const other = fromClient ? flow.server : flow.client;
    if (seg.flags & SYN) {
      if (!dir.started) dir.init(seg.seq + 1);
    } else if (!dir.started) {
      dir.init(seg.seq);
    }
    if (seg.flags & ACK && other.started) other.acked(seg.ack, ts);
    if (seg.flags & RST) {
      flow.end('rst', ts);
      return;
    }
    if (flow.closed) return;
    dir.segment(seg.seq, seg.bytes, seg.payloadAt, seg.captured, seg.payloadLength, (seg.flags & FIN) !== 0, ts);
    if (flow.closed) return;
    if (dir.held.length && ts - dir.oldestHeldTs >= this.limits.holeTimeoutMs) this.giveUpOldHoles(dir, ts);
    if (dir.heldBytes > this.limits.maxHeldBytesPerDirection || dir.held.length > this.limits.maxHeldSegmentsPerDirection ||
      this.heldTotal - heldBefore + flow.heldBytes > this.limits.maxHeldBytesTotal) {
      if (this.limits.bufferCapAction === 'end') {
        this.stats.evictedFlows++;
        flow.end('buffer-cap', ts);
        return;
      }
      while (dir.held.length && (dir.heldBytes > this.limits.maxHeldBytesPerDirection / 2 || dir.held.length > this.limits.maxHeldSegmentsPerDirection / 2)) dir.skipHole(ts);
      if (this.heldTotal - heldBefore + flow.heldBytes > this.limits.maxHeldBytesTotal) dir.flush(ts);
    }
    if (flow.client.finished && flow.server.finished) flow.end('fin', ts);
  }

  private giveUpOldHoles(dir: StreamDirection, ts: number): void {
    while (dir.held.length && ts - dir.oldestHeldTs >= this.limits.holeTimeoutMs) dir.skipHole(ts);
  }

  /** A flow whose handler has all it wants: only its end is still followed (FIN both ways, or RST). */
  private doneFlowPacket(flow: TcpFlow, seg: TcpSegment, fromClient: boolean, ts: number): void {
    if (seg.flags & RST) flow.end('rst', ts);
    else if (seg.flags & FIN) {
      (fromClient ? flow.client : flow.server).finAbs = 0; // seen; offsets no longer matter
      if (flow.client.finAbs >= 0 && flow.server.finAbs >= 0) flow.end('fin', ts);
    }
  }

  private account(flow: TcpFlow, before: number): void {
    const after = flow.heldBytes;
    this.heldTotal += after - before;
    if (after > 0 && !flow.closed) this.holding.add(flow);
    else this.holding.delete(flow);
  }

  /** Whether a packet with no flow yet starts one, and who is the client: SRC_CLIENT, DST_CLIENT, or undefined (no flow: no watched port, or an RST). */
  private sides(seg: TcpSegment): number | undefined {
    if (seg.flags & RST) return undefined;
    if ((seg.flags & (SYN | ACK)) === SYN) return this.watched(seg.dstPort) ? SRC_CLIENT : undefined;
    // The SYN was missed but the SYN-ACK says who is who, and no byte was missed.
    if ((seg.flags & (SYN | ACK)) === (SYN | ACK)) return this.watched(seg.srcPort) ? DST_CLIENT : undefined;
    const dstWatched = this.watched(seg.dstPort);
    const srcWatched = this.watched(seg.srcPort);
    if (dstWatched && srcWatched) return seg.srcPort > seg.dstPort ? SRC_CLIENT : DST_CLIENT; // both watched: the lower port serves
    if (dstWatched) return SRC_CLIENT;
    if (srcWatched) return DST_CLIENT;
    return undefined;
  }

  /** A new connection under `key` (its 4-tuple's), or undefined when neither side is a watched server port. */
  private create(key: string, seg: TcpSegment, ts: number): TcpFlow | undefined {
    const sides = this.sides(seg);
    if (sides === undefined) return undefined;
    const srcIsClient = sides === SRC_CLIENT;
    const midStream = (seg.flags & SYN) === 0;
    if (this.flows.size >= this.limits.maxFlows) this.evictOldest(ts);
    const start: FlowStart = srcIsClient
      ? { clientIp: seg.srcIp, clientPort: seg.srcPort, serverIp: seg.dstIp, serverPort: seg.dstPort, ts, midStream }
      : { clientIp: seg.dstIp, clientPort: seg.dstPort, serverIp: seg.srcIp, serverPort: seg.srcPort, ts, midStream };
    this.stats.flows++;
    let handler: FlowHandler | undefined;
    try {
      handler = this.factory(start);
    } catch (err) {
      this.stats.handlerErrors++;
      this.onHandlerError(err, start);
    }
    if (handler) this.stats.flowsWatched++;
    const flow = new TcpFlow(key, start, handler, this);
    if ((seg.flags & (SYN | ACK)) === SYN) flow.synSeq = seg.seq;
    this.flows.set(key, flow);
    this.append(flow);
    this.recent[recentSlot(seg)] = flow;
    return flow;
  }

  private evictOldest(ts: number): void {
    const oldest = this.front;
    if (!oldest) return;
    if (oldest.open) this.stats.evictedFlows++;
    this.expire(oldest, 'idle', ts);
  }

  private remove(flow: TcpFlow): void {
    this.flows.delete(flow.key);
    this.forget(flow);
    if (this.holding.delete(flow)) this.heldTotal -= flow.heldBytes;
  }

  private expire(flow: TcpFlow, reason: 'idle' | 'capture-end', ts: number): void {
    const before = flow.heldBytes;
    flow.end(reason, ts);
    this.heldTotal -= before - flow.heldBytes;
    this.holding.delete(flow);
    this.flows.delete(flow.key);
    this.forget(flow);
  }

  /** End flows idle too long (from the least recently active) and give up holes that are too old. */
  sweep(): void {
    this.lastSweep = this.now;
    const idleBefore = this.now - this.limits.idleTimeoutMs;
    for (let flow = this.front, newer; flow !== undefined; flow = newer) {
      newer = flow.newer;
      if (flow.lastTs > idleBefore) break;
      this.expire(flow, 'idle', flow.lastTs + this.limits.idleTimeoutMs);
    }
    for (const flow of [...this.holding]) {
      const before = flow.heldBytes;
      this.giveUpOldHoles(flow.client, this.now);
      this.giveUpOldHoles(flow.server, this.now);
      this.account(flow, before);
    }
  }

  /** The capture is over: end every open flow ('capture-end'). */
  finish(): void {
    while (this.endSome(Infinity));
  }

  /**
   * End up to `n` of the connections still open (the capture is over), least recently active first,
   * as finish() does; true while some are left. A capture that ends with many open connections can
   * hand their records on a batch at a time, with the consumers' backpressure in between.
   */
  endSome(n: number): boolean {
    for (let i = 0; i < n && this.front !== undefined; i++) this.expire(this.front, 'capture-end', this.now);
    if (this.front !== undefined) return true;
    this.heldTotal = 0;
    return false;
  }

  gapReported(missing: number): void {
    this.stats.gaps++;
    this.stats.gapBytes += missing;
  }

  handlerFailed(err: unknown, flow: TcpFlow): void {
    this.stats.handlerErrors++;
    this.onHandlerError(err, flow.start);
  }
}
