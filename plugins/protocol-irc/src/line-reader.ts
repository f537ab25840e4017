import { ProbeError, sanitize, type Connection } from '@wildtls/core';
import { parseMessage, type IrcMessage } from './message.js';

/**
 * Reads IRC lines for one reply under one deadline and a line cap, answering
 * PING and skipping NOTICEs (host and ident lookups) on the way; the first
 * NOTICE seen on the connection is kept as the banner.
 */
export class IrcLineReader {
  banner: string | undefined;

  constructor(private readonly conn: Connection, private readonly maxLines: number, private readonly onBanner: (b: string) => void) {}

  /**
   * Read until `pick` returns a value for a line (NOTICE and PING are handled
   * before `pick` sees anything). Returns the picked value and the raw line.
   */
  async until<T>(what: string, pick: (msg: IrcMessage, line: string) => T | undefined): Promise<T> {
    const timeoutMs = this.conn.limits.readTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (let n = 0; n < this.maxLines; n++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const line = await this.conn.readLine({ timeoutMs: left });
      const msg = parseMessage(line);
      if (!msg) continue;
      if (!/^([A-Z]+|\d{3})$/.test(msg.command)) {
        throw new ProbeError('protocol-error', 'malformed-reply', sanitize(`not an IRC line while we waited for ${what}: ${line}`, 256));
      }
      if (msg.command === 'PING') {
        await this.conn.write(`PONG :${msg.params[0] ?? ''}\r\n`);
        continue;
      }
      if (msg.command === 'NOTICE') {
        if (this.banner === undefined) {
          this.banner = sanitize(line, 1024);
          this.onBanner(this.banner);
        }
        continue;
      }
      if (msg.command === 'ERROR') {
        throw new ProbeError('protocol-error', 'connection-closed', sanitize(`server closed the link while we waited for ${what}: ${line}`, 1024));
      }
      const v = pick(msg, line);
      if (v !== undefined) return v;
    }
    if (deadline - Date.now() <= 0) throw new ProbeError('timeout', 'read-timeout', `no ${what} within ${timeoutMs} ms`);
    throw new ProbeError('protocol-error', 'reply-too-large', `more than ${this.maxLines} lines without ${what}`);
  }
}
