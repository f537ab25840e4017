import { linePassiveDialog, type PassiveDialog, type PassiveStep, type PassiveView } from '@wildtls/core';
import { capabilityTexts, classifyLine, parseImapCapabilities } from './reply.js';

type Awaited = 'capability' | 'starttls' | 'other';

const MAX_PENDING = 64;
const MAX_REPLY_LINES = 1024;

/**
 * The IMAP dialog seen from the wire (`wildtls passive`): the greeting (its
 * [CAPABILITY] code), CAPABILITY replies (read by the scan dialog's own
 * parsers), STARTTLS and its tagged answer, and how a client authenticated in
 * the clear (AUTHENTICATE's mechanism, or LOGIN). Following stops there:
 * credentials are never read.
 */
export function imapPassive(): PassiveDialog {
  const view: PassiveView = { startTlsRequested: false };
  const pending = new Map<string, Awaited>();
  let greeted = false;
  let lines: string[] = [];

  function setCapabilities(texts: string[]): void {
    if (texts.length === 0) return;
    const caps = parseImapCapabilities(texts);
    view.capabilities = caps.capabilities;
    view.sasl = caps.sasl;
    view.startTlsOffered = caps.startTls;
  }

  function serverLine(line: string): PassiveStep | void {
    if (!greeted) {
      greeted = true;
      view.banner = line;
      setCapabilities(capabilityTexts([line]));
      return;
    }
    const tag = line.slice(0, Math.max(0, line.indexOf(' ')));
    const what = pending.get(tag);
    const c = what ? classifyLine(line, tag) : undefined;
    if (!what || c?.kind !== 'tagged') {
      if (lines.length < MAX_REPLY_LINES) lines.push(line);
      return;
    }
    pending.delete(tag);
    const reply = [...lines, line];
    lines = [];
    if (what === 'capability') setCapabilities(capabilityTexts(reply, tag));
    if (what !== 'starttls') return;
    view.startTlsReply = line;
    view.startTlsAccepted = c.status === 'OK';
    return c.status === 'OK' ? { tlsAt: 0 } : { refused: true };
  }

  function clientLine(line: string): PassiveStep | void {
    const words = line.trim().split(/\s+/, 3);
    const tag = words[0] ?? '';
    const verb = (words[1] ?? '').toUpperCase();
    if (pending.size >= MAX_PENDING) return { stop: true };
    if (verb === 'AUTHENTICATE') {
      if (words[2]) view.clientMechanism = words[2];
      return { stop: true };
    }
    if (verb === 'LOGIN') {
      view.clientMechanism = 'LOGIN';
      return { stop: true };
    }
    if (verb === 'STARTTLS') {
      view.startTlsRequested = true;
      pending.set(tag, 'starttls');
      return { tlsAt: 0 };
    }
    pending.set(tag, verb === 'CAPABILITY' ? 'capability' : 'other');
  }

  return linePassiveDialog({ view, line: (from, line) => (from === 'server' ? serverLine(line) : clientLine(line)) });
}
