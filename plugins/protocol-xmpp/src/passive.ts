import { sanitize, type PassiveDialog, type PassiveSide, type PassiveStep, type PassiveView } from '@wildtls/core';
import { parseFeatures, SASL_NS, TLS_NS } from './features.js';
import { DEFAULT_OPTIONS } from './options.js';
import { STREAM_NS, XmlStream } from './xml-stream.js';
import type { StreamKind } from './dialog.js';

/**
 * The XMPP stream seen from the wire (`wildtls passive`): both sides' XML
 * streams read by the scan dialog's own parser (XmlStream) and features
 * reader (parseFeatures): the server's stream header and features, the
 * client's `<starttls/>` and the server's `<proceed/>` or `<failure/>`, and the
 * mechanism of an `<auth/>` sent in the clear (the name only). TLS is taken
 * to start at the end of the chunk that carried `<starttls/>` or
 * `<proceed/>`: each side waits for the other there, so nothing follows in
 * that chunk.
 */
export function xmppPassive(kind: StreamKind): () => PassiveDialog {
  return () => {
    const view: PassiveView = { startTlsRequested: false };
    const limits = { maxDepth: DEFAULT_OPTIONS.maxDepth, maxElements: DEFAULT_OPTIONS.maxElements };
    const streams: Record<PassiveSide, XmlStream> = { client: new XmlStream(limits), server: new XmlStream(limits) };
    let bytes = 0;

    function data(from: PassiveSide, chunk: Buffer): PassiveStep {
      bytes += chunk.length;
      if (bytes > DEFAULT_OPTIONS.maxStreamBytes) return { stop: true };
      const stream = streams[from];
      if (stream.failure) return { stop: true };
      for (const ev of stream.feed(chunk)) {
        if (ev.kind === 'header') {
          if (from === 'server') view.banner = sanitize(['from', 'version', 'id'].filter((a) => a in ev.tag.attrs).map((a) => `${a}='${ev.tag.attrs[a]}'`).join(' '), 1024);
          continue;
        }
        if (ev.kind !== 'element') return { stop: true };
        const el = ev.element;
        if (from === 'server') {
          if (el.uri === STREAM_NS && el.local === 'features' && view.startTlsOffered === undefined) {
            const f = parseFeatures(el, kind === 'server');
            view.capabilities = f.capabilities;
            view.sasl = f.sasl;
            view.startTlsOffered = f.startTls;
          } else if (el.uri === TLS_NS && (el.local === 'proceed' || el.local === 'failure') && view.startTlsRequested) {
            view.startTlsReply = sanitize(el.raw ?? `<${el.name}/>`, 1024);
            view.startTlsAccepted = el.local === 'proceed';
            return el.local === 'proceed' ? { tlsAt: chunk.length } : { refused: true, stop: true };
          }
        } else if (el.uri === TLS_NS && el.local === 'starttls') {
          view.startTlsRequested = true;
          return { tlsAt: chunk.length };
        } else if (el.uri === SASL_NS && el.local === 'auth') {
          // The mechanism attribute only; the element's text is the credential.
          if (el.attrs.mechanism) view.clientMechanism = el.attrs.mechanism;
          return { stop: true };
        } else if (el.local === 'message' || el.local === 'iq' || el.local === 'presence') {
          return { stop: true }; // stanzas in the clear: content, never read
        }
      }
      return stream.failure ? { stop: true } : {};
    }

    return { view, data };
  };
}
