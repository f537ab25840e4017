import { ProbeError } from '@wildtls/core';
import { isXmlSpace, malformedXml } from './xml-chars.js';
import { NamespaceScope, qnameColon } from './xml-namespaces.js';
import { XmlScanner, type XmlTokenHandler } from './xml-scanner.js';
import { endTagName, parseStartTag, type StartTag } from './xml-tag.js';

export const STREAM_NS = 'http://etherx.jabber.org/streams';

/** Shared by every element without attributes or children (most of them): fewer objects each. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];

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
 * An XMPP stream read incrementally: the root `<stream:stream>` opens and
 * stays open, and every child of the root comes out as one small tree. Our own
 * parser (XmlScanner, parseStartTag) checks what XMPP needs of well-formedness
 * in time linear in the input however it is split; DTDs and processing
 * instructions are refused and only XML's five entities exist, so an entity
 * bomb costs nothing. Every failure is a ProbeError('protocol-error').
 */
export class XmlStream implements XmlTokenHandler {
  private readonly scanner = new XmlScanner(this);
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly namespaces = new NamespaceScope();
  private readonly events: StreamEvent[] = [];
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;
  private rootClosed = false;
  private elementCount = 0;
  /** Text fed since the end of the last top-level element, its stream offset, and where the current one starts. */
  private pending = '';
  private pendingStart = 0;
  private topStart = 0;
  private failed: ProbeError | undefined;

  constructor(private readonly limits: XmlStreamLimits) {}

  /**
   * Feed bytes from the wire; returns the events they completed. After a
   * fault the events completed before it are still returned, and `failure`
   * holds the error (the stream accepts nothing more).
   */
  feed(bytes: Buffer): StreamEvent[] {
    if (this.failed) throw this.failed;
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      this.failed = new ProbeError('protocol-error', 'malformed-reply', 'stream is not valid UTF-8');
      return this.events.splice(0);
    }
    this.pending += text;
    try {
      this.scanner.write(text);
    } catch (err) {
      // Anything but a ProbeError is our own bug: let it reach the kernel as such.
      if (!(err instanceof ProbeError)) throw err;
      this.failed = err;
    }
    return this.events.splice(0);
  }

  /** The fault that ended this stream, if any. */
  get failure(): ProbeError | undefined {
    return this.failed;
  }

  startTag(body: string, start: number, end: number): void {
    const tag = parseStartTag(body);
    if (!this.root) return this.openRoot(tag, end);
    if (this.rootClosed) throw malformedXml(`<${tag.name}> after the end of the stream`);
    if (this.stack.length === 0) {
      this.elementCount = 0;
      this.topStart = start;
    }
    if (++this.elementCount > this.limits.maxElements) {
      throw new ProbeError('protocol-error', 'reply-too-large', `top-level element has more than ${this.limits.maxElements} elements`);
    }
    if (this.stack.length >= this.limits.maxDepth) {
      throw new ProbeError('protocol-error', 'reply-too-large', `elements nested deeper than ${this.limits.maxDepth}`);
    }
    const el = this.element(tag);
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : undefined;
    if (parent) (parent.children === NO_CHILDREN ? (parent.children = []) : parent.children).push(el);
    this.stack.push(el);
    if (tag.selfClosing) this.close(end);
  }

  endTag(body: string, end: number): void {
    const name = endTagName(body);
    const open = this.stack.at(-1)?.name ?? (this.rootClosed ? undefined : this.root?.name);
    if (name !== open) throw malformedXml(`</${name}> does not close ${open ? `<${open}>` : 'any element'}`);
    if (this.stack.length > 0) this.close(end);
    else this.closeRoot();
  }

  text(data: string): void {
    const top = this.stack.at(-1);
    if (top) {
      top.text += data;
      return;
    }
    // Text directly inside the root (white space between stanzas) is ignored; outside it, only white space may appear.
    if (this.root && !this.rootClosed) return;
    for (let i = 0; i < data.length; i++) {
      if (!isXmlSpace(data.charCodeAt(i))) throw malformedXml(this.root ? 'text after the end of the stream' : 'text before the stream header');
    }
  }

  private openRoot(tag: StartTag, end: number): void {
    const el = this.element(tag);
    if (el.local !== 'stream' || el.uri !== STREAM_NS) {
      throw new ProbeError('protocol-error', 'unexpected-reply', `expected <stream:stream>, got <${tag.name}> (namespace ${el.uri || 'none'})`);
    }
    this.root = el;
    this.markBoundary(end);
    this.events.push({ kind: 'header', tag: el });
    if (tag.selfClosing) this.closeRoot();
  }

  private closeRoot(): void {
    this.namespaces.leave();
    this.rootClosed = true;
    // The root closed: the server ended the stream.
    this.events.push({ kind: 'end' });
  }

  /** An element from its start tag, with the namespaces it declares in scope. */
  private element(tag: StartTag): XmlElement {
    const { name, attrs } = tag;
    this.namespaces.enter(attrs);
    const colon = qnameColon(name);
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    const uri = this.namespaces.resolve(prefix);
    if (uri === undefined) throw malformedXml(`unbound namespace prefix ${prefix} in <${name}>`);
    let expanded: Set<string> | undefined;
    for (const [attr] of attrs) {
      const c = qnameColon(attr);
      if (c < 0) continue;
      const attrUri = this.namespaces.resolve(attr.slice(0, c));
      if (attrUri === undefined) throw malformedXml(`unbound namespace prefix in attribute ${attr}`);
      const key = `{${attrUri}}${attr.slice(c + 1)}`;
      if (expanded?.has(key)) throw malformedXml(`duplicate attribute ${key} in <${name}>`);
      (expanded ??= new Set()).add(key);
    }
    return {
      name,
      local: colon < 0 ? name : name.slice(colon + 1),
      uri,
      attrs: tag.byName ?? NO_ATTRIBUTES,
      children: NO_CHILDREN,
      text: '',
    };
  }

  private close(end: number): void {
    const el = this.stack.pop()!;
    this.namespaces.leave();
    if (this.stack.length > 0) return;
    el.raw = this.pending.slice(this.topStart - this.pendingStart, end - this.pendingStart);
    this.markBoundary(end);
    // Whatever the server sent after this element, as far as we have read (for the STARTTLS injection check).
    this.events.push({ kind: 'element', element: el, trailing: this.pending });
  }

  /** Forget the text before stream offset `pos`. */
  private markBoundary(pos: number): void {
    this.pending = this.pending.slice(pos - this.pendingStart);
    this.pendingStart = pos;
  }
}
