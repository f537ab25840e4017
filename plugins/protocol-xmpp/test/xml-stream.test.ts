import { describe, expect, it } from 'vitest';
import { XmlStream, type StreamEvent } from '../src/xml-stream.js';
import { parseFeatures } from '../src/features.js';
import * as P from './fixtures/prosody-0.12.js';

const LIMITS = { maxDepth: 16, maxElements: 1024 };

function feedAll(chunks: Buffer[]): StreamEvent[] {
  const x = new XmlStream(LIMITS);
  const events = chunks.flatMap((c) => x.feed(c));
  if (x.failure) throw x.failure;
  return events;
}

const summary = (evs: StreamEvent[]) =>
  evs.map((e) => (e.kind === 'header' ? `header ${e.tag.attrs.id}` : e.kind === 'element' ? `${e.element.local} ${e.element.raw}` : 'end'));

describe('XmlStream: partial input', () => {
  // A non-ASCII character, so some splits fall inside a UTF-8 sequence.
  const transcript = Buffer.from(P.C2S_HEADER + P.C2S_FEATURES_PLAIN + ' ' + P.PROCEED + P.HOST_UNKNOWN.slice(P.HOST_UNKNOWN.indexOf('<stream:error>')).replace('This server', 'Ce serveur-là'));

  it('gives the same events however the bytes are split in two', () => {
    const whole = summary(feedAll([transcript]));
    expect(whole).toHaveLength(5);
    expect(whole[0]).toBe('header f0ecca99-125c-4526-85a7-086d00e98c8e');
    expect(whole[1]).toBe(`features ${P.C2S_FEATURES_PLAIN}`);
    expect(whole[2]).toBe(`proceed ${P.PROCEED}`);
    expect(whole[4]).toBe('end');
    for (let i = 1; i < transcript.length; i++) {
      expect(summary(feedAll([transcript.subarray(0, i), transcript.subarray(i)]))).toEqual(whole);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const bytes = [...transcript].map((b) => Buffer.from([b]));
    expect(summary(feedAll(bytes))).toEqual(summary(feedAll([transcript])));
  });

  it('keeps the text after a top-level element for the STARTTLS injection check', () => {
    const evs = feedAll([Buffer.from(P.C2S_HEADER + P.PROCEED + '  <x/>')]);
    const proceed = evs.find((e) => e.kind === 'element' && e.element.local === 'proceed');
    expect(proceed && proceed.kind === 'element' ? proceed.trailing : undefined).toBe('  <x/>');
  });

  it('reports events completed before a fault, then the fault', () => {
    const x = new XmlStream(LIMITS);
    const evs = x.feed(Buffer.from(P.C2S_HEADER + '<a/><b>&bad;</b>'));
    expect(evs.map((e) => e.kind)).toEqual(['header', 'element']);
    expect(x.failure?.reason).toBe('malformed-reply');
    expect(() => x.feed(Buffer.from('<c/>'))).toThrow(/undefined entity/);
  });
});

describe('parseFeatures', () => {
  const features = (xml: string) => {
    const evs = feedAll([Buffer.from(P.C2S_HEADER + xml)]);
    const f = evs.find((e) => e.kind === 'element');
    if (!f || f.kind !== 'element') throw new Error('no element');
    return f.element;
  };

  it('records every feature by local name in order, drops duplicates, upper-cases mechanisms', () => {
    const el = features(
      "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>scram-sha-1</mechanism><mechanism>PLAIN</mechanism><mechanism>PLAIN</mechanism></mechanisms>" +
        "<register xmlns='http://jabber.org/features/iq-register'/><sm xmlns='urn:xmpp:sm:2'/><sm xmlns='urn:xmpp:sm:3'/><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></stream:features>",
    );
    expect(parseFeatures(el, false)).toEqual({ capabilities: ['mechanisms', 'register', 'sm', 'c'], sasl: ['SCRAM-SHA-1', 'PLAIN'], startTls: false, startTlsRequired: false });
  });

  it('s2s: EXTERNAL and dialback become capabilities; c2s does not add mechanisms:EXTERNAL', () => {
    const xml = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>";
    expect(parseFeatures(features(xml), true)).toEqual({
      capabilities: ['starttls', 'starttls:required', 'mechanisms', 'mechanisms:EXTERNAL', 'dialback'],
      sasl: ['EXTERNAL'],
      startTls: true,
      startTlsRequired: true,
    });
    expect(parseFeatures(features(xml), false).capabilities).not.toContain('mechanisms:EXTERNAL');
  });

  it('a starttls element in another namespace is not STARTTLS', () => {
    expect(parseFeatures(features("<stream:features><starttls xmlns='urn:example:other'/></stream:features>"), false).startTls).toBe(false);
  });
});
