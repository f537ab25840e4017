import { linePassiveDialog, type PassiveDialog, type PassiveStep, type PassiveView } from '@wildtls/core';
import { CapLsList } from './cap-ls.js';
import { parseMessage } from './message.js';

/** Client commands that end following: chat content, or a password sent in the clear. */
const STOP = new Set(['PRIVMSG', 'NOTICE', 'JOIN', 'PASS', 'OPER']);

/**
 * The IRC dialog seen from the wire (`wildtls passive`): the server's first
 * line, its CAP LS reply (read by the scan dialog's CapLsList: `tls` is the
 * STARTTLS offer, `sasl=` the mechanisms), STARTTLS and its numeric (670 goes
 * ahead; 691 and other errors refuse), and the mechanism of an AUTHENTICATE
 * sent in the clear (the name only).
 */
export function ircPassive(): PassiveDialog {
  const view: PassiveView = { startTlsRequested: false };
  let caps: CapLsList | undefined;

  function serverLine(line: string): PassiveStep | void {
    const msg = parseMessage(line);
    if (!msg) return;
    view.banner ??= line;
    if (msg.command === 'CAP' && msg.params[1]?.toUpperCase() === 'LS') {
      caps ??= new CapLsList();
      const more = msg.params.length >= 4 && msg.params[2] === '*';
      caps.add(msg.params.length >= 3 ? msg.params.at(-1)! : '');
      if (!more) {
        const v = caps.view();
        view.capabilities = v.capabilities;
        view.sasl = v.sasl;
        view.startTlsOffered = v.startTls;
        caps = undefined;
      }
      return;
    }
    if (!view.startTlsRequested || view.startTlsReply !== undefined) return;
    if (/^(670|691|[45]\d\d)$/.test(msg.command)) {
      view.startTlsReply = line;
      view.startTlsAccepted = msg.command === '670';
      return msg.command === '670' ? { tlsAt: 0 } : { refused: true };
    }
  }

  function clientLine(line: string): PassiveStep | void {
    const msg = parseMessage(line);
    if (!msg) return;
    if (msg.command === 'STARTTLS') {
      view.startTlsRequested = true;
      return { tlsAt: 0 };
    }
    if (msg.command === 'AUTHENTICATE') {
      // The first AUTHENTICATE names the mechanism; the ones after carry the credential.
      if (msg.params[0] && msg.params[0] !== '+') view.clientMechanism = msg.params[0];
      return { stop: true };
    }
    if (STOP.has(msg.command)) return { stop: true };
  }

  return linePassiveDialog({ view, line: (from, line) => (from === 'server' ? serverLine(line) : clientLine(line)) });
}
