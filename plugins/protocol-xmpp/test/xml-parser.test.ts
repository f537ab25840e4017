import { describe, expect, it } from 'vitest';
import { XmlStream, type StreamEvent, type XmlElement } from '../src/xml-stream.js';

/*
 * What XML 1.0 and Namespaces in XML say the stream parser must do, case by
 * case (the parser is our own since the CPU audit; it replaced saxes).
 */

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
const LIMITS = { maxDepth: 16, maxElements: 1024 };

/** Feed `chunks` after the header; the events, or the failure. */
function parse(...chunks: string[]): { events: StreamEvent[]; failure?: string; reason?: string } {
  const x = new XmlStream(LIMITS);
  const events: StreamEvent[] = [];
  for (const c of [HEADER, ...chunks]) {
    events.push(...x.feed(Buffer.from(c)));
    if (x.failure) return { events, failure: x.failure.message, reason: x.failure.reason };
  }
  return { events };
}

function element(xml: string): XmlElement {
  const r = parse(xml);
  if (r.failure) throw new Error(r.failure);
  const ev = r.events.find((e) => e.kind === 'element');
  if (!ev || ev.kind !== 'element') throw new Error('no element');
  return ev.element;
}

const failure = (...chunks: string[]) => parse(...chunks).failure;

describe('XmlStream: attributes (XML 1.0 §3.1, §3.3.3)', () => {
  it('either quote, white space around "=", ">" and the other quote inside values', () => {
    expect(element(`<a x = "1>'" y\t=\n'2">' />`).attrs).toEqual({ x: "1>'", y: '2">' });
  });

  it('line ends and tabs become spaces (CR LF once); references are decoded after that, their characters kept', () => {
    expect(element("<a v='a\r\nb\tc\rd\ne&#10;&#x9;&lt;&amp;&#65;&quot;'/>").attrs.v).toBe('a b c d e\n\t<&A"');
  });

  it('names that are properties of Object.prototype are plain attributes; an element without attributes has none of them', () => {
    const el = element("<a __proto__='p' toString='t' constructor='c'/>");
    expect(Object.entries(el.attrs)).toEqual([['__proto__', 'p'], ['toString', 't'], ['constructor', 'c']]);
    expect(Object.getPrototypeOf(el.attrs)).toBe(null);
    expect('toString' in element('<b/>').attrs).toBe(false);
    expect(failure("<a __proto__='1' __proto__='2'/>")).toMatch(/duplicate attribute __proto__/);
  });

  it('a duplicate is found among many attributes, wherever it is', () => {
    const many = Array.from({ length: 40 }, (_, i) => `a${i}='${i}'`).join(' ');
    expect(Object.keys(element(`<a ${many}/>`).attrs)).toHaveLength(40);
    expect(failure(`<a ${many} a39='x'/>`)).toMatch(/duplicate attribute a39/);
    expect(failure(`<a a0='x' ${many}/>`)).toMatch(/duplicate attribute a0/);
  });

  it('refused: duplicates (also after namespace expansion), "<" in a value, unquoted values, no space between attributes', () => {
    expect(failure("<a x='1' x='2'/>")).toMatch(/duplicate attribute x/);
    expect(failure("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>")).toMatch(/duplicate attribute \{u\}x/);
    expect(failure("<a x='<'/>")).toMatch(/"<" in an attribute value/);
    expect(failure('<a x=1/>')).toMatch(/not quoted/);
    expect(failure("<a x='1'y='2'/>")).toMatch(/no white space/);
    expect(failure("<a x='&nope;'/>")).toMatch(/undefined entity &nope;/);
  });
});

describe('XmlStream: character data (§2.4, §2.11, §4.6)', () => {
  it('references decoded; CR LF and lone CR become LF, also when CR and LF arrive in two chunks', () => {
    expect(element('<m>a&lt;b&gt;c&amp;d&apos;e&quot;f&#xe9;&#128512;</m>').text).toBe(`a<b>c&d'e"fé😀`);
    expect(parse('<m>1\r', '\n2\r3\n</m>').events.find((e) => e.kind === 'element')).toMatchObject({ element: { text: '1\n2\n3\n' } });
  });

  it('CDATA is text, markup in it included; comments are skipped', () => {
    expect(element('<m>a<![CDATA[<b>]]&]]>c<!-- x - y -->d</m>').text).toBe('a<b>]]&cd');
  });

  it('refused: "]]>" in text, "--" in a comment, characters XML forbids, &#0;, a reference without ";"', () => {
    expect(failure('<m>a]]>b</m>')).toMatch(/"\]\]>" in character data/);
    expect(failure('<m><!-- a -- b --></m>')).toMatch(/"--" inside a comment/);
    expect(failure('<m>\u0001</m>')).toMatch(/U\+0001 is not allowed/);
    expect(failure('<m>&#0;</m>')).toMatch(/not an XML character/);
    expect(failure('<m>&amp</m>')).toMatch(/malformed reference/);
    expect(failure(`<m>&${'a'.repeat(40)}</m>`)).toMatch(/reference without ";"/);
  });
});

describe('XmlStream: names and namespaces (Namespaces in XML 1.0)', () => {
  it('prefixes resolve through the nesting; a declaration ends with its element; xml: is predefined', () => {
    const el = element("<p:a xmlns:p='urn:p' xml:lang='en'><p:b/><c xmlns='urn:c'><d/></c><e/></p:a>");
    expect([el.uri, el.local, el.attrs['xml:lang']]).toEqual(['urn:p', 'a', 'en']);
    expect(el.children.map((c) => [c.name, c.uri])).toEqual([['p:b', 'urn:p'], ['c', 'urn:c'], ['e', 'jabber:client']]);
    expect(el.children[1]!.children[0]!.uri).toBe('urn:c');
    expect(element("<a xmlns=''/>").uri).toBe('');
  });

  it('refused: unbound prefixes, a prefix out of scope, malformed names, rebinding xml or xmlns', () => {
    expect(failure('<q:a/>')).toMatch(/unbound namespace prefix q/);
    expect(failure("<a><b xmlns:p='u'/><p:c/></a>")).toMatch(/unbound namespace prefix p/);
    expect(failure("<a p:x='1'/>")).toMatch(/unbound namespace prefix in attribute p:x/);
    expect(failure('<a:b:c/>')).toMatch(/malformed qualified name/);
    expect(failure('<1a/>')).toMatch(/"<" not followed by a name/);
    expect(failure("<a xmlns:xml='urn:other'/>")).toMatch(/xml prefix/);
    expect(failure("<a xmlns:xmlns='urn:x'/>")).toMatch(/xmlns prefix/);
    expect(failure("<a xmlns:p=''/>")).toMatch(/undeclared/);
    expect(failure('<a></b>')).toMatch(/<\/b> does not close <a>/);
  });
});

describe('XmlStream: the stream around the elements', () => {
  it('the XML declaration only at the very start; other processing instructions and DTDs refused at once', () => {
    const ws = new XmlStream(LIMITS);
    ws.feed(Buffer.from(` ${HEADER}`));
    expect(ws.failure?.message).toMatch(/XML declaration that is not at the start/);
    expect(failure('<?php echo 1; ?>')).toMatch(/processing instruction <\?php\?> \(XMPP forbids them\)/);
    expect(failure("<?xml-stylesheet href='x'?>")).toMatch(/processing instruction <\?xml-\.\.\.\?>/);
    expect(failure('<?x?>')).toMatch(/processing instruction <\?x\?>/);
    const dtd = new XmlStream(LIMITS);
    dtd.feed(Buffer.from('<!DOCTYPE'));
    expect(dtd.failure?.message).toMatch(/DOCTYPE/);
  });

  it('raw is the element as sent, without what came before it; trailing is what follows in the same read', () => {
    const ev = parse("  <!-- keepalive -->\n<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>  <x/>").events.find((e) => e.kind === 'element');
    expect(ev).toMatchObject({ element: { raw: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" }, trailing: '  <x/>' });
  });

  it('a self-closed root is a header and an end; after the end only white space may come', () => {
    const x = new XmlStream(LIMITS);
    expect(x.feed(Buffer.from("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>\n")).map((e) => e.kind)).toEqual(['header', 'end']);
    expect(failure('</stream:stream>x')).toMatch(/text after the end of the stream/);
    expect(failure('</stream:stream><a/>')).toMatch(/<a> after the end of the stream/);
    expect(new XmlStream(LIMITS).feed(Buffer.from('hello <stream:stream>'))).toEqual([]);
  });

  it('the same events however a rich stream is split in two', () => {
    const doc = "<a x='1&amp;2' xmlns:p='urn:p'><p:b>t&#233;xt\r\n<![CDATA[<c>]]></p:b><!-- c --><e/></a>\n<f y=\"&lt;\"/></stream:stream>";
    const summary = (evs: StreamEvent[]) => JSON.stringify(evs.map((e) => (e.kind === 'element' ? [e.element, e.element.raw] : e.kind)));
    const whole = summary(parse(doc).events);
    for (let i = 1; i < doc.length; i++) expect(summary(parse(doc.slice(0, i), doc.slice(i)).events)).toBe(whole);
  });
});
