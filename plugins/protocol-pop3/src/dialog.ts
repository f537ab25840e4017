import {
  ProbeError,
  readReply,
  runLineStartTls,
  sanitize,
  type Connection,
  type DialogContext,
  type LineStartTlsSpec,
  type ProbeDialog,
} from '@wildtls/core';
import { checkStatusLine, isErr, isOk, parseCapa, unstuff } from './reply.js';

export interface Pop3Options {
  /** Cap on the lines of one reply (a never-ending CAPA list is an error). */
  maxReplyLines?: number;
}

/** Longest wait for the reply to QUIT. */
const GOODBYE_WAIT_MS = 2000;

/** The commands, made once: Connection.send() takes a Buffer (never changed by the stream). */
const CAPA = Buffer.from('CAPA\r\n');
const STLS = Buffer.from('STLS\r\n');
const QUIT = Buffer.from('QUIT\r\n');

export const POP3_DEFAULTS: Required<Pop3Options> = { maxReplyLines: 256 };

/**
 * The POP3 dialog (RFC 1939, CAPA per RFC 2449, STLS per RFC 2595 §4):
 * greeting, CAPA, STLS only when CAPA lists it, CAPA again after TLS, QUIT.
 * A server without CAPA (-ERR) has no capability list and so no STLS offer.
 * Never sends USER, PASS, APOP or AUTH.
 */
export const pop3Dialog: ProbeDialog<Pop3Options> = (ctx) => runLineStartTls(ctx as DialogContext, pop3Spec(ctx));

function pop3Spec(ctx: DialogContext<Pop3Options>): LineStartTlsSpec {
  const opts = { ...POP3_DEFAULTS, ...ctx.options };
  return {
    async readGreeting(conn) {
      const line = await conn.readLine();
      if (isOk(line)) return [line];
      ctx.record.banner = sanitize(line);
      if (isErr(line)) throw new ProbeError('protocol-error', 'unexpected-reply', `server refused the session: ${sanitize(line, 200)}`);
      throw new ProbeError('protocol-error', 'malformed-reply', `not a POP3 greeting: ${JSON.stringify(sanitize(line, 120))}`);
    },

    async requestCapabilities(conn) {
      // A write the stream took at once is not awaited (Connection.send(), as the SMTP dialog).
      const sent = conn.send(CAPA);
      if (sent) await sent;
      const first = await conn.readLine();
      if (checkStatusLine('CAPA', first) === 'err') return [];
      return readMultiLine(conn, opts.maxReplyLines);
    },

    parseCapabilities(body) {
      return parseCapa(body);
    },

    async requestStartTls(conn) {
      const sent = conn.send(STLS);
      if (sent) await sent;
      const line = await conn.readLine();
      checkStatusLine('STLS', line);
      return [line];
    },

    startTlsAccepted(lines) {
      return lines.length === 1 && isOk(lines[0]!);
    },

    async quit(conn) {
      const sent = conn.send(QUIT);
      if (sent) await sent;
      // Wait briefly for +OK so the server closes first; a silent server costs at most this.
      await conn.readLine({ timeoutMs: Math.min(conn.limits.readTimeoutMs, GOODBYE_WAIT_MS) });
    },
  };
}

/** The lines of a multi-line response body, up to the terminating ".", unstuffed. */
async function readMultiLine(conn: Connection, maxLines: number): Promise<string[]> {
  const lines = await readReply(conn, (line) => line === '.', { maxLines: maxLines + 1 });
  return lines.slice(0, -1).map(unstuff);
}
