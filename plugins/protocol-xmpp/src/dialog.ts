import { ProbeError, recordCapabilities, sanitize, type DialogContext, type ProbeDialog, type ProbeStatus } from '@wildtls/core';
import { resolveOptions, type XmppOptions } from './options.js';
import { parseFeatures, TLS_NS, type StreamFeatures } from './features.js';
import { StreamReader } from './stream-reader.js';
import { STREAM_NS, type XmlElement } from './xml-stream.js';

export type StreamKind = 'client' | 'server';

const CONTENT_NS: Record<StreamKind, string> = { client: 'jabber:client', server: 'jabber:server' };

/**
 * The XMPP STARTTLS dialog (RFC 6120 sections 4 and 5): open a stream, read
 * its features, send <starttls/> only when offered, handshake on <proceed/>,
 * then restart the stream over TLS and read the features again. On implicit
 * (XMPPS) ports the kernel has already done the handshake, so the first
 * features are the after-TLS ones.
 */
export function xmppDialog(kind: StreamKind): ProbeDialog<XmppOptions> {
  return async (ctx) => {
    const { record, conn } = ctx;
    const phase = ctx.implicitTls ? 'afterTls' : 'beforeTls';
    const first = await openStream(ctx, kind, (banner) => (record.banner = banner));
    recordCapabilities(record, phase, first.features);
    if (ctx.implicitTls) return close(ctx, 'success');
    if (!first.features.startTls) {
      record.starttls = { offered: false, upgraded: false };
      return close(ctx, 'no-starttls');
    }
    await conn.write(`<starttls xmlns='${TLS_NS}'/>`);
    const answer = await nextElement(first.reader, 'a reply to <starttls/>', true);
    const reply = sanitize(answer.element.raw ?? `<${answer.element.name}/>`);
    record.starttls = { offered: true, upgraded: false, reply };
    if (answer.element.uri === TLS_NS && answer.element.local === 'failure') return close(ctx, 'starttls-refused');
    if (answer.element.uri === STREAM_NS && answer.element.local === 'error') return close(ctx, 'starttls-refused');
    if (answer.element.uri !== TLS_NS || answer.element.local !== 'proceed') {
      throw new ProbeError('protocol-error', 'unexpected-reply', `server answered <starttls/> with <${answer.element.name}>`);
    }
    // <proceed/>: the server accepted STARTTLS (`upgraded`), whatever the handshake then does (tls.completed).
    record.starttls.upgraded = true;
    if (answer.trailing.trim() !== '' || first.reader.hasPending()) {
      // Bytes after <proceed/> and before our ClientHello: a STARTTLS injection hazard.
      throw new ProbeError('protocol-error', 'unexpected-reply', 'server sent data after <proceed/>, before the TLS handshake');
    }
    const outcome = await ctx.startTls();
    if (!outcome.completed) return 'success';
    // RFC 6120 5.4.3.3: after TLS both sides start a fresh stream.
    const second = await openStream(ctx, kind);
    recordCapabilities(record, 'afterTls', second.features);
    return close(ctx, 'success');
  };
}

interface OpenedStream {
  reader: StreamReader;
  features: StreamFeatures;
}

/** Send our stream header, read the server's (reported to onBanner at once) and its features. */
async function openStream(ctx: DialogContext<XmppOptions>, kind: StreamKind, onBanner?: (banner: string) => void): Promise<OpenedStream> {
  const { conn, target } = ctx;
  const options = resolveOptions(ctx.options);
  const reader = new StreamReader(conn, options);
  await conn.write(streamHeader(kind, options.from, target.domain ?? options.to ?? target.ip));
  const first = await reader.next();
  if (first.kind !== 'header') throw new ProbeError('protocol-error', 'unexpected-reply', 'server did not open an XML stream');
  onBanner?.(sanitize(['from', 'version', 'id'].filter((a) => a in first.tag.attrs).map((a) => `${a}='${first.tag.attrs[a]}'`).join(' '), 1024));
  // A pre-RFC 3920 server (no version='1.0') sends no features and cannot do STARTTLS.
  const major = Number((first.tag.attrs.version ?? '0').split('.')[0]);
  if (!(major >= 1)) return { reader, features: { capabilities: [], sasl: [], startTls: false, startTlsRequired: false } };
  const { element } = await nextElement(reader, '<stream:features>');
  if (element.uri !== STREAM_NS || element.local !== 'features') {
    throw new ProbeError('protocol-error', 'unexpected-reply', `expected <stream:features>, got <${element.name}>`);
  }
  return { reader, features: parseFeatures(element, kind === 'server') };
}

/** The next top-level element; the end of the stream, or a stream error unless it is the awaited reply, ends the probe. */
async function nextElement(reader: StreamReader, what: string, streamErrorIsReply = false): Promise<{ element: XmlElement; trailing: string }> {
  const ev = await reader.next();
  if (ev.kind === 'end') throw new ProbeError('protocol-error', 'connection-closed', `server closed the XML stream while we waited for ${what}`);
  if (ev.kind !== 'element') throw new ProbeError('protocol-error', 'unexpected-reply', `unexpected stream header while we waited for ${what}`);
  const el = ev.element;
  if (el.uri === STREAM_NS && el.local === 'error' && !streamErrorIsReply) {
    const condition = el.children.find((c) => c.uri === 'urn:ietf:params:xml:ns:xmpp-streams' && c.local !== 'text')?.local ?? 'unknown';
    throw new ProbeError('protocol-error', 'unexpected-reply', sanitize(`stream error ${condition}: ${el.raw ?? ''}`, 1024));
  }
  return { element: el, trailing: ev.trailing };
}

function streamHeader(kind: StreamKind, from: string, to: string): string {
  const attrs = [
    `xmlns='${CONTENT_NS[kind]}'`,
    `xmlns:stream='${STREAM_NS}'`,
    // Declaring the dialback namespace is how an s2s initiator says it speaks dialback (XEP-0220).
    ...(kind === 'server' ? [`xmlns:db='jabber:server:dialback'`] : []),
    ...(from ? [`from='${escapeAttr(from)}'`] : []),
    `to='${escapeAttr(to)}'`,
    `version='1.0'`,
  ];
  return `<?xml version='1.0'?><stream:stream ${attrs.join(' ')}>`;
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** End the stream politely (</stream:stream>); errors do not change the status. */
async function close(ctx: DialogContext<XmppOptions>, status: ProbeStatus): Promise<ProbeStatus> {
  try {
    await ctx.conn.write('</stream:stream>');
  } catch {
    /* the server may already be gone */
  }
  return status;
}
