import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-xmpp';
import { parseFeatures } from '../src/features.js';
import { MAX_ATTRIBUTES } from '../src/xml-scanner.js';
import { XmlStream, type StreamEvent } from '../src/xml-stream.js';
import * as P from './fixtures/prosody-0.12.js';

/*
 * XML shaped to cost a careless parser super-linear time or unbounded memory:
 * deep nesting, huge attribute lists, floods of references, comments and
 * elements, a byte-by-byte drip. Each case asserts the correct parse or the
 * classified refusal.
 */

/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.5';
const LIMITS = { maxDepth: 16, maxElements: 1024 };
const SASL = "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'";

function feed(chunks: Buffer[], limits = LIMITS): { events: StreamEvent[]; x: XmlStream } {
  const x = new XmlStream(limits);
  const events = chunks.flatMap((c) => (x.failure ? [] : x.feed(c)));
  return { events, x };
}
const one = (s: string, limits = LIMITS) => feed([Buffer.from(P.C2S_HEADER + s)], limits);
const firstElement = (r: { events: StreamEvent[] }) => {
  const ev = r.events.find((e) => e.kind === 'element');
  if (!ev || ev.kind !== 'element') throw new Error('no element');
  return ev.element;
};

describe('XMPP stream parsing of hostile XML', () => {
  it(`a tag of ${MAX_ATTRIBUTES} attributes is read whole; one more is refused as too large`, () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}='${'v'.repeat(100)}${i}'`).join(' ');
    const el = firstElement(one(`<x ${attrs(MAX_ATTRIBUTES)}/>`));
    expect(Object.keys(el.attrs)).toHaveLength(MAX_ATTRIBUTES);
    expect(el.attrs[`a${MAX_ATTRIBUTES - 1}`]).toBe(`${'v'.repeat(100)}${MAX_ATTRIBUTES - 1}`);
    const { x } = one(`<x ${attrs(MAX_ATTRIBUTES + 1)}/>`);
    expect(x.failure?.reason).toBe('reply-too-large');
  });

  it(`${MAX_ATTRIBUTES} namespace declarations on one tag: each prefix resolves`, () => {
    const decls = Array.from({ length: MAX_ATTRIBUTES }, (_, i) => `xmlns:p${i}='urn:n${i}'`).join(' ');
    const el = firstElement(one(`<p63:x ${decls}><p0:y/><p31:z/></p63:x>`));
    expect([el.uri, ...el.children.map((c) => c.uri)]).toEqual(['urn:n63', 'urn:n0', 'urn:n31']);
  });

  it('nesting to exactly maxDepth is read; one level deeper is refused as too large', () => {
    const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    let el = firstElement(one(nest(16)));
    let depth = 1;
    while (el.children.length) {
      el = el.children[0]!;
      depth++;
    }
    expect(depth).toBe(16);
    expect(one(nest(17)).x.failure?.reason).toBe('reply-too-large');
  });

  it('an attribute value of 50,000 references and a text of 50,000 references decode exactly', () => {
    const el = firstElement(one(`<m v='${'&lt;&#x41;'.repeat(25_000)}'>${'&amp;&#66;'.repeat(25_000)}</m>`));
    expect(el.attrs.v).toBe('<A'.repeat(25_000));
    expect(el.text).toBe('&B'.repeat(25_000));
  });

  it('200 KB of comments, white space and keepalives before the features: the features are still read', () => {
    const r = one(`${'<!-- keepalive -->\n '.repeat(10_000)}${P.C2S_FEATURES_PLAIN}`, LIMITS);
    expect(parseFeatures(firstElement(r), false)).toMatchObject({ startTls: true, sasl: ['SCRAM-SHA-1'] });
  });

  it('features of 1,000 mechanisms (50 distinct) and 20 repeated feature elements: each once, in order (under the caps)', () => {
    const mechs = Array.from({ length: 1000 }, (_, i) => `<mechanism>m${i % 50}</mechanism>`).join('');
    const extra = Array.from({ length: 20 }, (_, i) => `<sm xmlns='urn:xmpp:sm:${i}'/>`).join('');
    const f = parseFeatures(firstElement(one(`<stream:features><mechanisms ${SASL}>${mechs}</mechanisms>${extra}</stream:features>`)), false);
    expect(f.sasl).toEqual(Array.from({ length: 50 }, (_, i) => `M${i}`));
    expect(f.capabilities).toEqual(['mechanisms', 'sm']);
  });

  it('the same features dripped one byte at a time give the same element', () => {
    const doc = Buffer.from(P.C2S_HEADER + `<stream:features><mechanisms ${SASL}>${'<mechanism>PLAIN</mechanism>'.repeat(500)}</mechanisms></stream:features>`);
    const whole = firstElement(feed([doc]));
    expect(firstElement(feed([...doc].map((b) => Buffer.from([b]))))).toEqual(whole);
  });
});

describe('XMPP dialog against a server sending hostile XML', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('features with 1,000 mechanisms among comments: recorded once each; STARTTLS not offered', async () => {
    const mechs = Array.from({ length: 1000 }, (_, i) => `<!-- ${i} --><mechanism>m${i % 10}</mechanism>`).join('');
    server = await startScriptedServer({ host: HOST, script: [{ expectData: /<stream:stream[^>]*>/ }, { send: `${P.C2S_HEADER}<stream:features><mechanisms ${SASL}>${mechs}</mechanisms></stream:features>` }] });
    const c2s = plugin.services.find((s) => s.name === 'xmpp-client')!;
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: c2s, readTimeoutMs: 5000 });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: ['mechanisms'] });
    expect(r.sasl).toEqual({ beforeTls: Array.from({ length: 10 }, (_, i) => `M${i}`) });
  });
});
