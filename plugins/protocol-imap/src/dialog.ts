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
import { capabilityTexts, capabilityCode, classifyLine, malformed, parseImapCapabilities } from './reply.js';

export interface ImapOptions {
  /** Send CAPABILITY even when the greeting carries a [CAPABILITY ...] code. */
  alwaysAskCapability?: boolean;
  /** Cap on the lines of one reply (a never-ending CAPABILITY reply is an error). */
  maxReplyLines?: number;
}

/** Longest wait for the reply to LOGOUT. */
const GOODBYE_WAIT_MS = 2000;

export const IMAP_DEFAULTS: Required<ImapOptions> = { alwaysAskCapability: false, maxReplyLines: 256 };

/**
 * The IMAP dialog (RFC 3501, STARTTLS per RFC 2595 §3.1): greeting, capabilities
 * (from the greeting's response code when it carries one, otherwise CAPABILITY),
 * STARTTLS only when offered, CAPABILITY again after TLS, LOGOUT. Never logs in.
 */
export const imapDialog: ProbeDialog<ImapOptions> = (ctx) => runLineStartTls(ctx as DialogContext, imapSpec(ctx));

function imapSpec(ctx: DialogContext<ImapOptions>): LineStartTlsSpec {
  const opts = { ...IMAP_DEFAULTS, ...ctx.options };
  let counter = 0;
  let greetingLine: string | undefined;
  let preauth = false;
  let firstRequest = true;
  let lastTag = '';

  const command = async (conn: Connection, name: string, timeoutMs?: number): Promise<{ tag: string; lines: string[] }> => {
    const tag = `W${String(++counter).padStart(3, '0')}`;
    lastTag = tag;
    // A write the stream took at once is not awaited (Connection.send(), as the SMTP dialog).
    const sent = conn.send(Buffer.from(`${tag} ${name}\r\n`));
    if (sent) await sent;
    return { tag, lines: await readTagged(conn, tag, opts.maxReplyLines, timeoutMs) };
  };

  return {
    async readGreeting(conn) {
      const line = await conn.readLine();
      const c = classifyLine(line);
      if (c?.kind === 'untagged' && (c.status === 'OK' || c.status === 'PREAUTH')) {
        greetingLine = line;
        preauth = c.status === 'PREAUTH';
        return [line];
      }
      ctx.record.banner = sanitize(line);
      if (c?.kind === 'untagged' && c.status === 'BYE') {
        throw new ProbeError('protocol-error', 'unexpected-reply', `server refused the session: ${sanitize(line, 200)}`);
      }
      throw malformed('not an IMAP greeting', line);
    },

    async requestCapabilities(conn) {
      // The greeting's code is as good as a CAPABILITY reply (RFC 3501 §7.1), but
      // only for the greeting's own phase: after STARTTLS the client must ask again.
      const useGreeting = firstRequest && !opts.alwaysAskCapability && greetingLine !== undefined && capabilityCode(greetingLine.slice(2)) !== undefined;
      firstRequest = false;
      if (useGreeting) return [greetingLine!];
      const { tag, lines } = await command(conn, 'CAPABILITY');
      const last = classifyLine(lines.at(-1) ?? '', tag);
      if (last?.kind !== 'tagged' || last.status !== 'OK') {
        throw new ProbeError('protocol-error', 'unexpected-reply', `CAPABILITY refused: ${sanitize(lines.join('\n'), 400)}`);
      }
      return lines;
    },

    parseCapabilities(lines) {
      const view = parseImapCapabilities(capabilityTexts(lines, lastTag));
      // STARTTLS is valid only in the not-authenticated state (RFC 3501 §6.2.1).
      if (preauth) view.startTls = false;
      return view;
    },

    async requestStartTls(conn) {
      return (await command(conn, 'STARTTLS')).lines;
    },

    startTlsAccepted(lines) {
      const c = classifyLine(lines.at(-1) ?? '', lastTag);
      return c?.kind === 'tagged' && c.status === 'OK';
    },

    async quit(conn) {
      // Wait briefly for the server's BYE/OK so it closes first; a silent server costs at most this.
      await command(conn, 'LOGOUT', Math.min(conn.limits.readTimeoutMs, GOODBYE_WAIT_MS));
    },
  };
}

/**
 * Read the response to a command: untagged lines until the tagged completion,
 * or until an untagged BYE (the server is closing). A continuation request is
 * a protocol error, since this dialog never sends literals or AUTHENTICATE.
 */
function readTagged(conn: Connection, tag: string, maxLines: number, timeoutMs?: number): Promise<string[]> {
  return readReply(
    conn,
    (line) => {
      if (line === '') return false;
      const c = classifyLine(line, tag);
      if (!c) throw malformed(`unexpected line in reply to ${tag}`, line);
      if (c.kind === 'continuation') {
        throw new ProbeError('protocol-error', 'unexpected-reply', `continuation request to a command without literal: ${sanitize(line, 120)}`);
      }
      return c.kind === 'tagged' || c.status === 'BYE';
    },
    { maxLines, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}
