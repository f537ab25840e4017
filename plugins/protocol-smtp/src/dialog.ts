import {
  ProbeError,
  readReply,
  runLineStartTls,
  sanitize,
  type CapabilityView,
  type Connection,
  type DialogContext,
  type LineStartTlsSpec,
  type ProbeStatus,
} from '@wildtls/core';
import { resolveOptions, type SmtpOptions } from './options.js';
import { parseEhlo, parseReply, smtpReplyEnd } from './reply.js';
import type { SmtpRecord } from './smtp-record.js';

type Phase = 'beforeTls' | 'afterTls';

/**
 * The SMTP dialog (RFC 5321, STARTTLS per RFC 3207) on core's data-driven line
 * dialog: 220 greeting, EHLO (HELO when EHLO is refused), STARTTLS only when
 * offered, handshake, EHLO again on the same connection, QUIT. No MAIL, no
 * AUTH: credentials are never sent.
 */
export function smtpDialog(ctx: DialogContext<unknown>): Promise<ProbeStatus> {
  const opts = resolveOptions(ctx.options);
  return runLineStartTls(ctx, smtpSpec(ctx, opts));
}

export function smtpSpec(ctx: DialogContext<unknown>, opts: SmtpOptions): LineStartTlsSpec {
  const read = (conn: Connection) => readReply(conn, smtpReplyEnd(), { maxLines: opts.maxReplyLines });
  const text = (lines: string[]) => sanitize(lines.join('\n'));
  const smtp = (): SmtpRecord => (ctx.record.smtp ??= {});
  // parseCapabilities runs right after requestCapabilities: remember whether that was HELO.
  let helo = false;

  async function command(conn: Connection, line: string): Promise<string[]> {
    await conn.write(`${line}\r\n`);
    return read(conn);
  }

  return {
    async readGreeting(conn) {
      const lines = await read(conn);
      const reply = parseReply(lines);
      if (reply.code !== 220) {
        // A 554 "no service here" greeting is a refusal worth keeping verbatim.
        ctx.record.banner = text(lines);
        throw new ProbeError('protocol-error', 'unexpected-reply', `server greeted with ${reply.code}, not 220`);
      }
      return lines;
    },

    async requestCapabilities(conn, phase: Phase) {
      const ehlo = await command(conn, `EHLO ${opts.ehloName}`);
      const ehloReply = parseReply(ehlo);
      helo = ehloReply.code !== 250;
      if (!helo) {
        smtp().ehloGreeting = { ...smtp().ehloGreeting, [phase]: sanitize(ehloReply.texts[0] ?? '', 512) };
        return ehlo;
      }
      smtp().heloFallback = { ...smtp().heloFallback, [phase]: text(ehlo) };
      if (ehloReply.code === 421) throw new ProbeError('protocol-error', 'unexpected-reply', 'server answered EHLO with 421 (closing)');
      const heloLines = await command(conn, `HELO ${opts.ehloName}`);
      const heloReply = parseReply(heloLines);
      if (heloReply.code !== 250) {
        throw new ProbeError('protocol-error', 'unexpected-reply', `server refused both EHLO (${ehloReply.code}) and HELO (${heloReply.code})`);
      }
      smtp().ehloGreeting = { ...smtp().ehloGreeting, [phase]: sanitize(heloReply.texts[0] ?? '', 512) };
      return heloLines;
    },

    parseCapabilities(lines): CapabilityView {
      if (helo) return { capabilities: [], sasl: [], startTls: false };
      return parseEhlo(lines);
    },

    async requestStartTls(conn) {
      const lines = await command(conn, 'STARTTLS');
      const { code } = parseReply(lines);
      // 220 goes ahead, 4xx/5xx refuses; anything else is not an answer RFC 3207 allows.
      if (code !== 220 && code < 400) {
        ctx.record.starttls = { offered: true, upgraded: false, reply: text(lines) };
        throw new ProbeError('protocol-error', 'unexpected-reply', `server answered STARTTLS with ${code}`);
      }
      return lines;
    },

    startTlsAccepted(lines) {
      return parseReply(lines).code === 220;
    },

    async quit(conn) {
      await conn.write('QUIT\r\n');
      if (opts.quitTimeoutMs > 0) await readReply(conn, smtpReplyEnd(), { maxLines: opts.maxReplyLines, timeoutMs: opts.quitTimeoutMs });
    },
  };
}
