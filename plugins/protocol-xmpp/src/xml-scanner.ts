import { ProbeError } from '@wildtls/core';
import { decodeReference, isNameChar, isNameStartChar, isXmlChar, malformedXml, MAX_REFERENCE } from './xml-chars.js';

/** What the scanner reports; offsets count UTF-16 code units from the start of the stream. */
export interface XmlTokenHandler {
  /** A start tag: the text between `<` and `>`, where `<` was and where `>` ended. */
  startTag(body: string, start: number, end: number): void;
  /** An end tag: the text between `</` and `>`, and where `>` ended. */
  endTag(body: string, end: number): void;
  /** Character data, references decoded, line ends normalized (CDATA sections included). */
  text(data: string): void;
}

/**
 * Most attributes accepted on one tag: stanzas and features carry a handful, and
 * this bounds the work (and the object) one tag can cost, whatever the byte caps.
 */
export const MAX_ATTRIBUTES = 64;

const enum State { Text, Lt, Open, Close, Bang, Comment, Cdata, PiTarget, Declaration, Reference }

/**
 * The lexical layer of the XMPP stream parser (the subset of XML 1.0 RFC 6120
 * §11 allows): fed chunks of decoded text, it finds tags, character data,
 * references, CDATA and comments, and refuses DTDs and processing
 * instructions. Every character is looked at once; a token cut by a chunk
 * boundary is kept as pieces and joined once when it ends, so a server that
 * drips bytes costs no more than one that sends them at once.
 */
export class XmlScanner {
  private state = State.Text;
  /** Stream offset of the current chunk's first character. */
  private base = 0;
  /** Stream offset of the `<` of the markup being read. */
  private markupStart = 0;
  /** Where the current token starts in this chunk, and its pieces from earlier chunks. */
  private from = 0;
  private pieces = '';
  /** Inside a start tag: the quote of the attribute value we are in (0: none), and how many values it has had. */
  private quote = 0;
  private values = 0;
  /** A run of `]` (text, CDATA), `-` (comment) or `?` (declaration) just before this character. */
  private run = 0;
  /** The last character data ended with CR (a CR LF split across chunks is one line end). */
  private cr = false;

  constructor(private readonly handler: XmlTokenHandler) {}

  write(chunk: string): void {
    const n = chunk.length;
    let i = 0;
    this.from = 0;
    while (i < n) {
      switch (this.state) {
        case State.Text: i = this.scanText(chunk, i); break;
        case State.Lt: i = this.afterLt(chunk, i); break;
        case State.Open: i = this.scanOpen(chunk, i); break;
        case State.Close: i = this.scanClose(chunk, i); break;
        case State.Bang: i = this.scanBang(chunk, i); break;
        case State.Comment: i = this.scanComment(chunk, i); break;
        case State.Cdata: i = this.scanCdata(chunk, i); break;
        case State.PiTarget: i = this.scanPiTarget(chunk, i); break;
        case State.Declaration: i = this.scanDeclaration(chunk, i); break;
        case State.Reference: i = this.scanReference(chunk, i); break;
      }
    }
    if (this.state !== State.Text && this.state !== State.Lt && this.state !== State.Comment) this.pieces += chunk.slice(this.from);
    this.base += n;
  }

  private begin(state: State, from: number): number {
    this.state = state;
    this.from = from;
    this.pieces = '';
    this.run = 0;
    return from;
  }

  /** The token's text: its earlier pieces and this chunk's part up to `end`. */
  private token(chunk: string, end: number): string {
    const t = this.pieces + chunk.slice(this.from, end);
    this.pieces = '';
    return t;
  }

  private scanText(chunk: string, i: number): number {
    const start = i;
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x3c /* < */ || c === 0x26 /* & */) {
        this.emitText(chunk.slice(start, i));
        if (c === 0x26) return this.begin(State.Reference, i + 1);
        this.markupStart = this.base + i;
        this.state = State.Lt;
        return i + 1;
      }
      if (c === 0x3e /* > */ && this.run >= 2) throw malformedXml('"]]>" in character data');
      this.run = c === 0x5d /* ] */ ? this.run + 1 : 0;
      if (!isXmlChar(c)) throw notAllowed(c);
    }
    this.emitText(chunk.slice(start));
    return i;
  }

  /** Character data with XML's line-end handling (§2.11): CR LF and a lone CR become LF. */
  private emitText(raw: string): void {
    if (raw.length === 0) return;
    const dropLf = this.cr && raw.charCodeAt(0) === 0x0a;
    this.cr = raw.charCodeAt(raw.length - 1) === 0x0d;
    const text = dropLf ? raw.slice(1) : raw;
    if (text.length > 0) this.handler.text(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text);
  }

  private afterLt(chunk: string, i: number): number {
    const c = chunk.charCodeAt(i);
    this.cr = false;
    this.run = 0;
    if (c === 0x2f /* / */) return this.begin(State.Close, i + 1);
    if (c === 0x21 /* ! */) return this.begin(State.Bang, i + 1);
    if (c === 0x3f /* ? */) return this.begin(State.PiTarget, i + 1);
    if (isNameStartChar(c)) {
      this.quote = 0;
      this.values = 0;
      return this.begin(State.Open, i);
    }
    throw malformedXml('"<" not followed by a name');
  }

  private scanOpen(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.quote !== 0) {
        if (c === this.quote) this.quote = 0;
        else if (c === 0x3c) throw malformedXml('"<" in an attribute value');
      } else if (c === 0x3e /* > */) {
        const body = this.token(chunk, i);
        this.state = State.Text;
        this.handler.startTag(body, this.markupStart, this.base + i + 1);
        return i + 1;
      } else if (c === 0x22 || c === 0x27) {
        this.quote = c;
        if (++this.values > MAX_ATTRIBUTES) throw new ProbeError('protocol-error', 'reply-too-large', `a tag with more than ${MAX_ATTRIBUTES} attributes`);
      } else if (c === 0x3c || c === 0x26) {
        throw malformedXml(`"${String.fromCharCode(c)}" inside a tag`);
      }
      if (!isXmlChar(c)) throw notAllowed(c);
    }
    return i;
  }

  private scanClose(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x3e /* > */) {
        const body = this.token(chunk, i);
        this.state = State.Text;
        this.handler.endTag(body, this.base + i + 1);
        return i + 1;
      }
      if (c === 0x3c || !isXmlChar(c)) throw malformedXml('a malformed end tag');
    }
    return i;
  }

  /** `<!`: a comment, a CDATA section, or a DOCTYPE (refused); we need at most seven characters to tell. */
  private scanBang(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const seen = this.token(chunk, i + 1);
      this.from = i + 1;
      if (seen === '--') return this.begin(State.Comment, i + 1);
      if (seen === '[CDATA[') return this.begin(State.Cdata, i + 1);
      if (seen === 'DOCTYPE') throw new ProbeError('protocol-error', 'malformed-reply', 'server sent a <!DOCTYPE> (refused: XMPP forbids DTDs)');
      if (!'--'.startsWith(seen) && !'[CDATA['.startsWith(seen) && !'DOCTYPE'.startsWith(seen)) throw malformedXml('unknown markup after "<!"');
      this.pieces = seen;
    }
    return i;
  }

  /** A comment's text is dropped; `--` may only come right before its closing `>`. */
  private scanComment(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.run >= 2) {
        if (c !== 0x3e) throw malformedXml('"--" inside a comment');
        this.state = State.Text;
        this.run = 0;
        return i + 1;
      }
      this.run = c === 0x2d /* - */ ? this.run + 1 : 0;
      if (!isXmlChar(c)) throw notAllowed(c);
    }
    return i;
  }

  private scanCdata(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x3e && this.run >= 2) {
        const body = this.token(chunk, i);
        this.state = State.Text;
        this.run = 0;
        this.emitText(body.slice(0, -2));
        this.cr = false;
        return i + 1;
      }
      this.run = c === 0x5d /* ] */ ? this.run + 1 : 0;
      if (!isXmlChar(c)) throw notAllowed(c);
    }
    return i;
  }

  /**
   * `<?`: only the XML declaration, and only at the very start of the stream;
   * any other processing instruction is refused (RFC 6120 §11.1) as soon as
   * its target is longer than `xml` or ends.
   */
  private scanPiTarget(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const ended = c === 0x3f || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
      if (!ended && i - this.from + this.pieces.length < 3) continue;
      const target = this.token(chunk, ended ? i : i + 1);
      if (ended && target.toLowerCase() === 'xml') {
        if (target !== 'xml' || this.markupStart !== 0) throw malformedXml('an XML declaration that is not at the start of the stream');
        if (c === 0x3f) throw malformedXml('an XML declaration without a version');
        return this.begin(State.Declaration, i);
      }
      const printable = target.replace(/[^\x21-\x7e]/g, '?');
      throw new ProbeError('protocol-error', 'malformed-reply', `server sent a processing instruction <?${printable}${ended ? '' : '...'}?> (XMPP forbids them)`);
    }
    return i;
  }

  /** The XML declaration's pseudo-attributes, up to `?>`; it must name a version. */
  private scanDeclaration(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x3e && this.run > 0) {
        // The token ends with the `?` of `?>` (perhaps the last character of an earlier chunk).
        const body = this.token(chunk, i).slice(0, -1);
        if (!body.trimStart().startsWith('version')) throw malformedXml('an XML declaration without a version');
        this.state = State.Text;
        this.run = 0;
        return i + 1;
      }
      this.run = c === 0x3f /* ? */ ? 1 : 0;
      if (c === 0x3c || !isXmlChar(c)) throw malformedXml('a malformed XML declaration');
    }
    return i;
  }

  private scanReference(chunk: string, i: number): number {
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 0x3b /* ; */ && c !== 0x23 /* # */ && !isNameChar(c)) throw malformedXml('a malformed reference');
      if (c === 0x3b) {
        const body = this.token(chunk, i);
        this.state = State.Text;
        this.cr = false;
        this.run = 0;
        this.handler.text(decodeReference(body));
        return i + 1;
      }
      if (i - this.from + this.pieces.length >= MAX_REFERENCE) throw malformedXml('a reference without ";"');
    }
    return i;
  }
}

function notAllowed(c: number): ProbeError {
  return malformedXml(`character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
}
