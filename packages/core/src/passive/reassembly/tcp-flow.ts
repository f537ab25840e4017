import type { FlowDirection, FlowEndReason, FlowHandler, FlowStart } from '../flow.js';
import { StreamDirection, type StreamOutput } from './stream-direction.js';

/** What a flow reports to its table (counts, and a handler's exception). */
export interface FlowOwner {
  gapReported(missing: number): void;
  handlerFailed(err: unknown, flow: TcpFlow): void;
}

/**
 * One TCP connection: its two directions and its handler. A flow whose handler ended (or was never
 * given one) stays in the table as a tombstone until it idles out, so that stray packets after the
 * end (the last ACK, a retransmitted FIN) do not start a second, mid-stream connection.
 */
export class TcpFlow implements StreamOutput {
  readonly client: StreamDirection;
  readonly server: StreamDirection;
  lastTs: number;
  /** Set once the handler was ended, failed or is done; then packets only update lastTs. */
  closed: boolean;
  /** The client's SYN's sequence number (-1: not seen): a SYN with another one is a new connection. */
  synSeq = -1;
  /** The handler said done: no more bytes, only the end is still to be told. */
  done = false;
  /** Neighbours in the flow table's least-recently-active order (the table links and unlinks them). */
  older: TcpFlow | undefined = undefined;
  newer: TcpFlow | undefined = undefined;

  constructor(readonly key: string, readonly start: FlowStart, private handler: FlowHandler | undefined, private readonly owner: FlowOwner) {
    this.client = new StreamDirection(this, 'client');
    this.server = new StreamDirection(this, 'server');
    this.lastTs = start.ts;
    this.closed = handler === undefined;
  }

  get open(): boolean {
    return !this.closed;
  }

  get heldBytes(): number {
    return this.client.heldBytes + this.server.heldBytes;
  }

  streamData(dir: FlowDirection, bytes: Uint8Array, ts: number): void {
    if (this.closed || this.done || bytes.length === 0) return;
    try {
      this.handler!.data(dir, bytes, ts);
      if (this.handler!.done) this.becomeDone();
    } catch (err) {
      this.fail(err);
    }
  }

  streamGap(dir: FlowDirection, missing: number, ts: number): void {
    if (this.closed || this.done) return;
    this.owner.gapReported(missing);
    try {
      this.handler!.gap(dir, missing, ts);
      if (this.handler!.done) this.becomeDone();
    } catch (err) {
      this.fail(err);
    }
  }

  private becomeDone(): void {
    this.done = true;
    this.client.drop();
    this.server.drop();
  }

  /** Tell the handler the end (after delivering what is held, holes as gaps), once. */
  end(reason: FlowEndReason, ts: number): void {
    if (this.closed) return;
    if (!this.done) {
      this.client.flush(ts);
      this.server.flush(ts);
    }
    if (this.closed) return; // the handler failed while flushing
    const handler = this.handler!;
    this.close();
    try {
      handler.end(reason, ts);
    } catch (err) {
      this.owner.handlerFailed(err, this);
    }
  }

  private fail(err: unknown): void {
    this.close();
    this.owner.handlerFailed(err, this);
  }

  private close(): void {
    this.closed = true;
    this.handler = undefined;
    this.client.drop();
    this.server.drop();
  }
}
