import { ProbeError, type Connection } from '@wildtls/core';
import { XmlStream, type StreamEvent, type XmlStreamLimits } from './xml-stream.js';

export interface StreamReaderLimits extends XmlStreamLimits {
  /** Cap on bytes read for one XML stream (before or after TLS). */
  maxStreamBytes: number;
}

/**
 * Pulls chunks from the connection into one XmlStream until the next event,
 * under a byte cap for the whole stream and a deadline per event.
 */
export class StreamReader {
  private readonly xml: XmlStream;
  private readonly queue: StreamEvent[] = [];
  private bytes = 0;

  constructor(private readonly conn: Connection, private readonly limits: StreamReaderLimits) {
    this.xml = new XmlStream(limits);
  }

  /** The next stream event, waiting at most `timeoutMs` for it in total (however slowly the bytes drip). */
  async next(timeoutMs: number = this.conn.limits.readTimeoutMs): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.xml.failure) throw this.xml.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeError('timeout', 'read-timeout', `no complete XML element within ${timeoutMs} ms`);
      const room = this.limits.maxStreamBytes - this.bytes;
      if (room <= 0) throw new ProbeError('protocol-error', 'reply-too-large', `XML stream longer than ${this.limits.maxStreamBytes} bytes`);
      const chunk = await this.conn.readChunk({ timeoutMs: left, maxBytes: Math.min(16384, room) });
      this.bytes += chunk.length;
      this.queue.push(...this.xml.feed(chunk));
    }
    return this.queue.shift()!;
  }

  /** True when events or bytes are already waiting (pipelined data). */
  hasPending(): boolean {
    return this.queue.length > 0 || this.conn.hasBuffered() || this.xml.failure !== undefined;
  }
}
