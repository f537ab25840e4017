import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ProbeError } from '@wildtls/core';

export const STREAM_NS = 'http://etherx.jabber.org/streams';

/** A child of the stream root (a stanza or a features/proceed/failure element), kept small. */
export interface XmlElement {
  /** Qualified name as sent, e.g. `stream:features`. */
  name: string;
  local: string;
  uri: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
  /** The element's exact text as the server sent it (set on top-level elements only). */
  raw?: string;
}

export type StreamEvent =
  | { kind: 'header'; tag: XmlElement }
  | { kind: 'element'; element: XmlElement; trailing: string }
  | { kind: 'end' };

export interface XmlStreamLimits {
  /** Deepest nesting accepted inside one top-level element. */
  maxDepth: number;
  /** Most elements accepted inside one top-level element. */
  maxElements: number;
}

/**
 * An XMPP stream read incrementally with saxes: the root `<stream:stream>`
 * opens and stays open, and every child of the root comes out as one small
 * tree. DTDs and entities other than XML's five built-in ones are refused
 * (saxes never expands DTD entities; we also stop at any `<!DOCTYPE`), so an
 * entity bomb costs nothing. Every failure is a ProbeError('protocol-error').
 */
export class XmlStream {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly events: StreamEvent[] = [];
  private stack: XmlElement[] = [];
  private elementCount = 0;
  private sawRoot = false;
  /** Text fed since the end of the last top-level element, and the stream offset where it starts. */
  private pending = '';
  private pendingStart = 0;
  private failed: ProbeError | undefined;

  constructor(private readonly limits: XmlStreamLimits) {
    const p = this.parser;
    p.on('doctype', () => {
      throw new ProbeError('protocol-error', 'malformed-reply', 'server sent a <!DOCTYPE> (refused: XMPP forbids DTDs)');
    });
    p.on('processinginstruction', (pi) => {
      throw new ProbeError('protocol-error', 'malformed-reply', `server sent a processing instruction <?${pi.target}?> (XMPP forbids them)`);
    });
    p.on('opentag', (tag) => this.onOpen(tag));
    p.on('closetag', () => this.onClose());
    p.on('text', (t) => this.onText(t));
    p.on('cdata', (t) => this.onText(t));
  }

  /**
   * Feed bytes from the wire; returns the events they completed. After a
   * fault the events completed before it are still returned, and `failure`
   * holds the error (the stream accepts nothing more).
   */
  feed(bytes: Buffer): StreamEvent[] {
    if (this.failed) throw this.failed;
    try {
      const text = this.decoder.decode(bytes, { stream: true });
      this.pending += text;
      this.parser.write(text);
    } catch (err) {
      this.failed = err instanceof ProbeError ? err
        : err instanceof TypeError ? new ProbeError('protocol-error', 'malformed-reply', 'stream is not valid UTF-8')
        : new ProbeError('protocol-error', 'malformed-reply', `malformed XML: ${(err as Error).message}`);
    }
    return this.events.splice(0);
  }

  /** The fault that ended this stream, if any. */
  get failure(): ProbeError | undefined {
    return this.failed;
  }

  private onOpen(tag: SaxesTagNS): void {
    const el: XmlElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      attrs: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value])),
      children: [],
      text: '',
    };
    if (!this.sawRoot) {
      this.sawRoot = true;
      if (tag.local !== 'stream' || tag.uri !== STREAM_NS) {
        throw new ProbeError('protocol-error', 'unexpected-reply', `expected <stream:stream>, got <${tag.name}> (namespace ${tag.uri || 'none'})`);
      }
      this.markBoundary();
      this.events.push({ kind: 'header', tag: el });
      return;
    }
    if (this.stack.length === 0) this.elementCount = 0;
    if (++this.elementCount > this.limits.maxElements) {
      throw new ProbeError('protocol-error', 'reply-too-large', `top-level element has more than ${this.limits.maxElements} elements`);
    }
    if (this.stack.length >= this.limits.maxDepth) {
      throw new ProbeError('protocol-error', 'reply-too-large', `elements nested deeper than ${this.limits.maxDepth}`);
    }
    this.stack.at(-1)?.children.push(el);
    this.stack.push(el);
  }

  private onClose(): void {
    const el = this.stack.pop();
    if (!el) {
      // The root closed: the server ended the stream.
      this.events.push({ kind: 'end' });
      return;
    }
    if (this.stack.length > 0) return;
    const end = this.parser.position - this.pendingStart;
    el.raw = this.pending.slice(0, end).trim();
    this.markBoundary();
    // Whatever the server sent after this element, as far as we have read (for the STARTTLS injection check).
    this.events.push({ kind: 'element', element: el, trailing: this.pending });
  }

  private onText(t: string): void {
    const top = this.stack.at(-1);
    if (top) top.text += t;
  }

  private markBoundary(): void {
    const pos = this.parser.position;
    this.pending = this.pending.slice(pos - this.pendingStart);
    this.pendingStart = pos;
  }
}
