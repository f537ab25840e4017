import type { PassiveDialog, PassiveSide, PassiveStep, PassiveView } from '../plugin/passive-dialog.js';

/** What a line protocol's passive follower supplies: one call per complete line (CR LF stripped). */
export interface LinePassiveSpec {
  view: PassiveView;
  line(from: PassiveSide, line: string): PassiveStep | void;
}

/** Longest line kept: longer ones are cut (the rest of the line is skipped, not buffered). */
export const PASSIVE_LINE_BYTES = 8192;
/** Lines per direction before the follower gives up on the dialog (a session that never upgrades). */
export const PASSIVE_MAX_LINES = 4096;

class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private overlong = false;
  lines = 0;

  /** Each complete line of `bytes`, with the offset just past its LF; stops when `onLine` returns a step with tlsAt/stop. */
  feed(bytes: Buffer, onLine: (line: string, end: number) => PassiveStep | void): PassiveStep {
    let start = 0;
    for (;;) {
      const lf = bytes.indexOf(0x0a, start);
      if (lf < 0) {
        this.keep(bytes.subarray(start));
        return {};
      }
      this.keep(bytes.subarray(start, lf));
      const raw = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
      this.partial = [];
      this.partialBytes = 0;
      this.overlong = false;
      start = lf + 1;
      const text = raw.toString('latin1');
      const step = onLine(text.endsWith('\r') ? text.slice(0, -1) : text, start);
      if (++this.lines > PASSIVE_MAX_LINES) return { stop: true };
      if (step && (step.tlsAt !== undefined || step.stop || step.refused)) {
        if (step.refused && step.tlsAt === undefined && !step.stop) {
          // Keep reading this chunk's lines after a refusal: the dialog goes on in the clear.
          const rest = this.feed(bytes.subarray(start), onLine);
          return { ...rest, refused: true, ...(rest.tlsAt !== undefined ? { tlsAt: rest.tlsAt + start } : {}) };
        }
        return { ...step, ...(step.tlsAt !== undefined ? { tlsAt: start } : {}) };
      }
    }
  }

  private keep(part: Buffer): void {
    if (this.overlong || part.length === 0) return;
    const room = PASSIVE_LINE_BYTES - this.partialBytes;
    if (part.length > room) {
      part = part.subarray(0, room);
      this.overlong = true;
    }
    // Copied: the capture's buffer may be reused once the call returns.
    this.partial.push(Buffer.from(part));
    this.partialBytes += part.length;
  }
}

/**
 * A PassiveDialog for a line protocol (SMTP, IMAP, POP3, IRC): splits each
 * direction into lines, bounded in length and number, and hands them to the
 * protocol's `line`. A line's step with `tlsAt` means "TLS starts after this
 * line": the offset is computed here.
 */
export function linePassiveDialog(spec: LinePassiveSpec): PassiveDialog {
  const split: Record<PassiveSide, LineSplitter> = { client: new LineSplitter(), server: new LineSplitter() };
  return {
    view: spec.view,
    data(from, bytes) {
      return split[from].feed(bytes, (line) => spec.line(from, line));
    },
  };
}
