import type { FlowDirection, FlowEndReason, FlowHandler, FlowStart } from '../passive/flow.js';
import type { PassiveDialog, PassiveStep } from '../plugin/passive-dialog.js';
import type { TlsLimits } from '../tls/limits.js';
import { TlsFollower } from './tls-follower.js';

/** Client bytes held after a STARTTLS request until the server answers (a ClientHello fits many times over). */
export const HELD_CLIENT_BYTES = 64 * 1024;
/** Bytes either side may send in the clear before the follower gives up on the dialog. */
export const CLEAR_TEXT_BYTES = 256 * 1024;

export type FollowEnd = FlowEndReason | 'handshake-done' | 'dialog-stopped' | 'gap';

/** Everything the record is made of, handed over once when following ends. */
export interface FollowResult {
  start: FlowStart;
  endTs: number;
  endReason: FollowEnd;
  /** TLS bytes were seen (implicit TLS, or after an accepted STARTTLS). */
  tlsStarted: boolean;
  tls: TlsFollower;
  dialog: PassiveDialog | undefined;
  gaps: { client: number; server: number };
  serverBytes: number;
  /** The clear-text dialog went over CLEAR_TEXT_BYTES, or a gap cut it: what it saw is kept, the rest is not followed. */
  dialogCut: boolean;
}

type Phase = 'clear' | 'held' | 'tls' | 'off';

/**
 * One connection: the protocol plugin's passive dialog on the clear text,
 * then the TLS follower on the bytes after "TLS starts now" (at once for
 * implicit TLS). It keeps no bytes after the handshake (done is set), and at
 * most HELD_CLIENT_BYTES while a STARTTLS answer is awaited.
 */
export class FlowFollower implements FlowHandler {
  done = false;
  private readonly phase: Record<FlowDirection, Phase>;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private readonly tls: TlsFollower;
  private readonly gaps = { client: 0, server: 0 };
  private clearBytes = 0;
  private serverBytes = 0;
  private lastTs: number;
  private tlsStarted = false;
  private dialogCut = false;
  private ended = false;

  constructor(
    private readonly start: FlowStart,
    private readonly dialog: PassiveDialog | undefined,
    private readonly emit: (r: FollowResult) => void,
    limits?: TlsLimits,
  ) {
    this.tls = new TlsFollower(limits);
    const first: Phase = dialog ? 'clear' : 'tls';
    this.phase = { client: first, server: first };
    this.lastTs = start.ts;
  }

  data(dir: FlowDirection, bytes: Uint8Array, ts: number): void {
    if (this.done) return;
    this.lastTs = ts;
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dir === 'server') this.serverBytes += buf.length;
    this.route(dir, buf);
  }

  private route(dir: FlowDirection, buf: Buffer): void {
    switch (this.phase[dir]) {
      case 'off':
        return;
      case 'tls':
        this.tlsStarted = true;
        // Not copied: the TLS follower copies what it keeps past the call (the reader's bytes are valid during it only).
        this.tls.push(dir, buf);
        if (this.tls.done) this.finish('handshake-done');
        return;
      case 'held':
        if (this.heldBytes + buf.length > HELD_CLIENT_BYTES) {
          this.phase.client = 'off';
          return;
        }
        this.held.push(Buffer.from(buf));
        this.heldBytes += buf.length;
        return;
      case 'clear':
        this.clear(dir, buf);
    }
  }

  private clear(dir: FlowDirection, buf: Buffer): void {
    this.clearBytes += buf.length;
    if (this.clearBytes > CLEAR_TEXT_BYTES) {
      this.dialogCut = true;
      this.finish('dialog-stopped');
      return;
    }
    const step: PassiveStep = this.dialog!.data(dir, buf);
    if (step.stop) {
      this.finish('dialog-stopped');
      return;
    }
    if (dir === 'server' && step.refused) this.release();
    if (step.tlsAt === undefined) return;
    const rest = buf.subarray(step.tlsAt);
    if (dir === 'client') {
      this.phase.client = 'held';
      if (rest.length) this.route('client', rest);
      return;
    }
    // The server went ahead: both directions are TLS from here, the client's held bytes first.
    this.phase.server = 'tls';
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (this.phase.client === 'held') this.phase.client = 'tls';
    for (const h of held) if (!this.done) this.route('client', h);
    if (rest.length && !this.done) this.route('server', rest);
  }

  /** The server refused STARTTLS: what the client sent meanwhile is clear text again. */
  private release(): void {
    if (this.phase.client !== 'held') return;
    this.phase.client = 'clear';
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const h of held) if (!this.done) this.route('client', h);
  }

  gap(dir: FlowDirection, missingBytes: number, ts: number): void {
    if (this.done) return;
    this.lastTs = ts;
    this.gaps[dir] += missingBytes;
    // A hole leaves nothing to parse in order: this direction is not followed further.
    if (this.phase[dir] === 'clear') this.dialogCut = true;
    this.phase[dir] = 'off';
    if (this.phase.client === 'off' && this.phase.server === 'off') this.finish('gap');
  }

  end(reason: FlowEndReason, ts: number): void {
    if (this.ended) return;
    this.lastTs = ts;
    this.finish(reason);
  }

  private finish(reason: FollowEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.done = true;
    if (this.held.length !== 0) this.held = [];
    this.emit({
      start: this.start,
      endTs: this.lastTs,
      endReason: reason,
      tlsStarted: this.tlsStarted,
      tls: this.tls,
      dialog: this.dialog,
      gaps: this.gaps,
      serverBytes: this.serverBytes,
      dialogCut: this.dialogCut,
    });
  }
}
