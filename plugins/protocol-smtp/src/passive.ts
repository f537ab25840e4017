import { linePassiveDialog, isProbeError, type PassiveDialog, type PassiveStep, type PassiveView } from '@wildtls/core';
import { parseEhlo, parseReply, smtpReplyEnd } from './reply.js';

type Awaited = 'greeting' | 'ehlo' | 'starttls' | 'other';

/** Replies the follower waits for at once (pipelining): more is a client we stop following. */
const MAX_PENDING = 64;
/** Lines of one reply kept (parseEhlo looks at all it is given). */
const MAX_REPLY_LINES = 1024;

/**
 * The SMTP dialog seen from the wire (`wildtls passive`): the 220 greeting,
 * each EHLO reply (parsed by parseEhlo, as the scan's dialog does), STARTTLS
 * and its answer, and the mechanism of an AUTH sent in the clear. Following
 * stops at AUTH, MAIL, DATA or BDAT in the clear: credentials and mail are
 * never read.
 */
export function smtpPassive(): PassiveDialog {
  const view: PassiveView = { startTlsRequested: false };
  const pending: Awaited[] = ['greeting'];
  let reply: string[] = [];
  let isLast = smtpReplyEnd();

  function onReply(lines: string[]): PassiveStep | void {
    const what = pending.shift() ?? 'other';
    const code = parseReply(lines).code;
    if (what === 'greeting') view.banner = lines.join('\n');
    else if (what === 'ehlo' && code === 250) {
      const ehlo = parseEhlo(lines);
      view.capabilities = ehlo.capabilities;
      view.sasl = ehlo.sasl;
      view.startTlsOffered = ehlo.startTls;
    } else if (what === 'starttls') {
      view.startTlsReply = lines.join('\n');
      view.startTlsAccepted = code === 220;
      return code === 220 ? { tlsAt: 0 } : { refused: true };
    }
  }

  function serverLine(line: string): PassiveStep | void {
    reply.push(line);
    let last: boolean;
    try {
      last = isLast(line, reply.length - 1);
    } catch (err) {
      if (isProbeError(err)) return { stop: true }; // not SMTP: nothing more to read
      throw err;
    }
    if (!last && reply.length < MAX_REPLY_LINES) return;
    const lines = reply;
    reply = [];
    isLast = smtpReplyEnd();
    return onReply(lines);
  }

  function clientLine(line: string): PassiveStep | void {
    const words = line.trim().split(/\s+/, 3);
    const verb = (words[0] ?? '').toUpperCase();
    if (pending.length >= MAX_PENDING) return { stop: true };
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        pending.push('ehlo');
        return;
      case 'STARTTLS':
        view.startTlsRequested = true;
        pending.push('starttls');
        return { tlsAt: 0 };
      case 'AUTH':
        // The mechanism name only; an initial response (the credential) is words[2], never kept.
        if (words[1]) view.clientMechanism = words[1];
        return { stop: true };
      case 'MAIL':
      case 'DATA':
      case 'BDAT':
        return { stop: true };
      default:
        pending.push('other');
    }
  }

  return linePassiveDialog({ view, line: (from, line) => (from === 'server' ? serverLine(line) : clientLine(line)) });
}
