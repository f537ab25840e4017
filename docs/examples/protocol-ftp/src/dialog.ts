import { ProbeError, runLineStartTls, sanitize, type DialogContext, type LineStartTlsSpec, type ProbeDialog } from '@wildtls/core';
import type { FtpOptions } from './index.js';
import { featFeatures, parseFeat, readFtpReply, replyCode } from './reply.js';

/**
 * The FTP dialog (RFC 959, FEAT per RFC 2389, AUTH TLS per RFC 4217):
 * 220 greeting, FEAT, AUTH TLS only when FEAT offers it, 234 -> TLS handshake,
 * FEAT again over TLS, QUIT. Any other answer to AUTH TLS (500, 502, 504, 530,
 * 534, 431...) is recorded as a refusal with the exact reply. Never sends USER
 * or PASS.
 */
export const ftpDialog: ProbeDialog<FtpOptions> = (ctx) => runLineStartTls(ctx as DialogContext, ftpSpec(ctx));

/** Longest wait for the reply to QUIT. */
const GOODBYE_WAIT_MS = 2000;

function ftpSpec(ctx: DialogContext<FtpOptions>): LineStartTlsSpec {
  const maxLines = ctx.options.maxReplyLines ?? 256;
  return {
    async readGreeting(conn) {
      let reply = await readFtpReply(conn, maxLines);
      // 120: "service ready in nnn minutes", then a 220 follows (RFC 959 §5.4).
      if (replyCode(reply) === 120) reply = [...reply, ...(await readFtpReply(conn, maxLines))];
      const last = reply.filter((l) => /^\d{3}[ -]/.test(l)).at(-1) ?? reply[0]!;
      if (last.startsWith('220')) return reply;
      ctx.record.banner = sanitize(reply.join('\n'));
      throw new ProbeError('protocol-error', 'unexpected-reply', `server refused the session: ${sanitize(reply[0]!, 200)}`);
    },

    async requestCapabilities(conn) {
      await conn.write('FEAT\r\n');
      const reply = await readFtpReply(conn, maxLines);
      ctx.record.ftp ??= { featSupported: replyCode(reply) === 211 };
      return featFeatures(reply);
    },

    parseCapabilities(features) {
      return parseFeat(features);
    },

    async requestStartTls(conn) {
      await conn.write('AUTH TLS\r\n');
      return readFtpReply(conn, maxLines);
    },

    startTlsAccepted(reply) {
      return replyCode(reply) === 234;
    },

    async quit(conn) {
      await conn.write('QUIT\r\n');
      // Wait briefly for 221 so the server closes first; a silent server costs at most this.
      await conn.readLine({ timeoutMs: Math.min(conn.limits.readTimeoutMs, GOODBYE_WAIT_MS) });
    },
  };
}
