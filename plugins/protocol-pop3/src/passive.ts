import { linePassiveDialog, type PassiveDialog, type PassiveStep, type PassiveView } from '@wildtls/core';
import { isOk, parseCapa, unstuff } from './reply.js';

type Awaited = 'greeting' | 'capa' | 'stls' | 'other';

const MAX_PENDING = 64;
const MAX_REPLY_LINES = 1024;

/**
 * The POP3 dialog seen from the wire (`wildtls passive`): the greeting, the
 * CAPA reply (parsed by the scan dialog's parseCapa), STLS and its answer,
 * and how a client authenticated in the clear (AUTH's mechanism, USER or
 * APOP). Following stops there: credentials are never read.
 */
export function pop3Passive(): PassiveDialog {
  const view: PassiveView = { startTlsRequested: false };
  const pending: Awaited[] = ['greeting'];
  let body: string[] | undefined;

  function serverLine(line: string): PassiveStep | void {
    if (body) {
      if (line === '.') {
        const capa = parseCapa(body);
        body = undefined;
        view.capabilities = capa.capabilities;
        view.sasl = capa.sasl;
        view.startTlsOffered = capa.startTls;
      } else if (body.length < MAX_REPLY_LINES) body.push(unstuff(line));
      return;
    }
    const what = pending.shift() ?? 'other';
    if (what === 'greeting') view.banner = line;
    else if (what === 'capa' && isOk(line)) body = [];
    else if (what === 'stls') {
      view.startTlsReply = line;
      view.startTlsAccepted = isOk(line);
      return isOk(line) ? { tlsAt: 0 } : { refused: true };
    }
  }

  function clientLine(line: string): PassiveStep | void {
    const words = line.trim().split(/\s+/, 2);
    const verb = (words[0] ?? '').toUpperCase();
    if (pending.length >= MAX_PENDING) return { stop: true };
    switch (verb) {
      case 'CAPA':
        pending.push('capa');
        return;
      case 'STLS':
        view.startTlsRequested = true;
        pending.push('stls');
        return { tlsAt: 0 };
      case 'AUTH':
        // AUTH without a mechanism lists them (a multi-line reply we do not need); with one, it authenticates.
        if (!words[1]) return { stop: true };
        view.clientMechanism = words[1];
        return { stop: true };
      case 'USER':
      case 'APOP':
        view.clientMechanism = verb;
        return { stop: true };
      default:
        pending.push('other');
    }
  }

  return linePassiveDialog({ view, line: (from, line) => (from === 'server' ? serverLine(line) : clientLine(line)) });
}
