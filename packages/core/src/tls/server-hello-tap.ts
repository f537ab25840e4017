import { RecordReader } from './record-reader.js';
import { parseServerHello } from './server-messages.js';

/** Server bytes kept for the tap: a ServerHello sits in the first record of any sane server. */
export const TAP_BYTES = 32 * 1024;

/**
 * The first bytes the server sent, kept for `cipherSuite()`, for an engine that
 * cannot say which suite was chosen by number (node:tls gives a name, and only
 * names in our table map back to an id). Keeps at most TAP_BYTES.
 */
export class ServerHelloTap {
  private chunks: Buffer[] = [];
  private kept = 0;

  push(chunk: Buffer): void {
    if (this.kept >= TAP_BYTES) return;
    const part = chunk.length > TAP_BYTES - this.kept ? chunk.subarray(0, TAP_BYTES - this.kept) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** Drop what was kept (the stream may live on long after the handshake). */
  release(): void {
    this.chunks = [];
    this.kept = TAP_BYTES;
  }

  /**
   * The ServerHello's cipher suite (a HelloRetryRequest's is the same, RFC 8446
   * 4.1.4), read once with the engine's own parsers in one linear pass;
   * undefined when the kept bytes do not hold a whole, well-formed one.
   */
  cipherSuite(): number | undefined {
    const reader = new RecordReader();
    reader.push(Buffer.concat(this.chunks));
    this.release();
    const parts: Buffer[] = [];
    let bytes = 0;
    let end = 0;
    try {
      for (let rec = reader.next(); rec; rec = reader.next()) {
        if (rec.type !== 22) return undefined;
        parts.push(rec.fragment);
        bytes += rec.fragment.length;
        if (end === 0 && bytes >= 4) {
          const head = Buffer.concat(parts).subarray(0, 4);
          if (head[0] !== 2) return undefined;
          end = 4 + head.readUIntBE(1, 3);
        }
        if (end > 0 && bytes >= end) return parseServerHello(Buffer.concat(parts).subarray(4, end)).cipherSuite;
      }
    } catch {
      // Not a well-formed ServerHello: the caller records no suite id it cannot vouch for.
    }
    return undefined;
  }
}
