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
import type { __PASCAL__Options } from './index.js';

/**
 * The __NAME__ dialog. wildtls opens the connection (with deadlines and byte
 * caps) and hands it over; the dialog only talks. runLineStartTls does the
 * common part for line protocols: greeting, capabilities, STARTTLS only when
 * offered, the TLS handshake, capabilities again over TLS, goodbye; it fills
 * the record (banner, capabilities, starttls, tls) as it goes.
 *
 * As scaffolded, it speaks a small example protocol so that the tests pass:
 *   S: 220 greeting            C: CAPA
 *   S: <capability lines>      S: .
 *   C: STARTTLS                S: 220 go ahead     (then TLS)
 *   C: QUIT
 * Replace each part marked FILL IN with what your protocol's RFC says.
 * Never send credentials: a probe reads what the server offers, it never logs in.
 */
export const __CAMEL__Dialog: ProbeDialog<__PASCAL__Options> = (ctx) => runLineStartTls(ctx as DialogContext, __CAMEL__Spec(ctx));

/** Longest wait for the goodbye reply: a silent server costs at most this. */
const GOODBYE_WAIT_MS = 2000;

function __CAMEL__Spec(ctx: DialogContext<__PASCAL__Options>): LineStartTlsSpec {
  const maxLines = ctx.options.maxReplyLines ?? 256;
  return {
    // FILL IN (1/6): read the greeting. Throw ProbeError for a refusal or garbage,
    // so the record gets a classified status instead of a crash.
    async readGreeting(conn) {
      const line = await conn.readLine();
      if (!line.startsWith('220')) {
        ctx.record.banner = sanitize(line);
        throw new ProbeError('protocol-error', 'unexpected-reply', `not a __NAME__ greeting: ${JSON.stringify(sanitize(line, 120))}`);
      }
      return [line];
    },

    // FILL IN (2/6): ask for the capabilities and read the whole reply.
    // Called before TLS and again over TLS (phase says which).
    async requestCapabilities(conn) {
      await conn.write('CAPA\r\n');
      return readUntilDot(conn, maxLines);
    },

    // FILL IN (3/6): turn the reply into capability entries, SASL mechanisms,
    // and whether STARTTLS is offered (it is only sent when offered).
    parseCapabilities(lines) {
      const capabilities = lines.map((l) => l.trim()).filter((l) => l !== '');
      const sasl = capabilities.filter((c) => /^AUTH\s/i.test(c)).flatMap((c) => c.split(/\s+/).slice(1).map((m) => m.toUpperCase()));
      return { capabilities, sasl: [...new Set(sasl)], startTls: capabilities.some((c) => c.toUpperCase() === 'STARTTLS') };
    },

    // FILL IN (4/6): send the STARTTLS command and read its reply.
    async requestStartTls(conn) {
      await conn.write('STARTTLS\r\n');
      return [await conn.readLine()];
    },

    // FILL IN (5/6): does the reply allow the TLS handshake? Anything else is
    // recorded as a refusal (status starttls-refused, with the exact reply).
    startTlsAccepted(lines) {
      return lines.length === 1 && lines[0]!.startsWith('220');
    },

    // FILL IN (6/6): say goodbye politely. Errors here are ignored.
    async quit(conn) {
      await conn.write('QUIT\r\n');
      await conn.readLine({ timeoutMs: Math.min(conn.limits.readTimeoutMs, GOODBYE_WAIT_MS) });
    },
  };
}

/** A multi-line reply ending with a line holding only "." (bounded by maxLines). */
async function readUntilDot(conn: Connection, maxLines: number): Promise<string[]> {
  const lines = await readReply(conn, (line) => line === '.', { maxLines: maxLines + 1 });
  return lines.slice(0, -1);
}
