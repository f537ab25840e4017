/**
 * parseClientHello reads a well-formed hello with plain offsets and leaves any other to the checked
 * reader (parseClientHelloChecked), so that a malformed one fails as the engine's readers fail it.
 * The hellos here are built from declared fields; the fields and errors expected are written out.
 */
import { describe, expect, it } from 'vitest';
import { readerOutcome, seededInts, u16, vec16, vec8 } from '../../test/tls/differential.js';
import { parseClientHello, parseClientHelloChecked, type ClientHello } from './client-hello-parse.js';

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];
const list16 = (...v: number[]) => vec16(v.flatMap(u16));

type Ext = [id: number, data: number[]];

/** A ClientHello body: version, 32 bytes of random, session id, suites, compression, then the extension block's bytes as given. */
function body(opts: { sessionId?: number[]; suites?: number[]; compression?: number[]; extBlock?: number[] }): Buffer {
  return Buffer.from([...u16(0x0303), ...new Array<number>(32).fill(7), ...vec8(opts.sessionId ?? []), ...vec16((opts.suites ?? [0x1301, 0xc02b]).flatMap(u16)),
    ...vec8(opts.compression ?? [0]), ...(opts.extBlock ?? [])]);
}
const block = (exts: Ext[]) => vec16(exts.flatMap(([id, data]) => [...u16(id), ...vec16(data)]));
const hello = (exts: Ext[], opts: { sessionId?: number[]; suites?: number[] } = {}) => body({ ...opts, extBlock: block(exts) });

const FULL: Ext[] = [
  [0x0000, vec16([0, ...vec16(ascii('a.example'))])],
  [0x000b, vec8([0, 1])],
  [0x000a, list16(0x001d, 0x0017)],
  [0x0023, [1, 2, 3]],
  [0x0010, vec16([...vec8(ascii('h2')), ...vec8(ascii('http/1.1'))])],
  [0x0016, []],
  [0x000d, list16(0x0403, 0x0804)],
  [0x002b, vec8([...u16(0x0304), ...u16(0x0303)])],
  [0x0029, [0, 0]],
];

/** What the record builder and the fingerprints read of a hello, the extensions' bytes as hex. */
function fields(ch: ClientHello): unknown {
  return { ...ch, sessionId: ch.sessionId.toString('hex'), extensions: ch.extensions.map((e) => [e.id, e.data.toString('hex')]) };
}

const outcome = (parse: (b: Buffer) => ClientHello, b: Buffer): unknown => readerOutcome(parse, b, fields);

describe('parseClientHello', () => {
  it('reads every list of a well-formed hello', () => {
    const ch = parseClientHello(hello(FULL, { sessionId: [9, 9, 9] }));
    expect(fields(ch)).toEqual({
      legacyVersion: 0x0303,
      sessionId: '090909',
      suites: [0x1301, 0xc02b],
      compression: [0],
      extensions: [[0, '000c00000961' + '2e6578616d706c65'], [11, '020001'], [10, '0004001d0017'], [35, '010203'], [16, '000c02683208687474702f312e31'],
        [22, ''], [13, '000404030804'], [43, '0403040303'], [41, '0000']],
      serverName: 'a.example',
      alpn: ['h2', 'http/1.1'],
      groups: [0x001d, 0x0017],
      pointFormats: [0, 1],
      signatureAlgorithms: [0x0403, 0x0804],
      supportedVersions: [0x0304, 0x0303],
      pskOffered: true,
      ticketOffered: true,
    });
  });

  it('a hello without an extension block, with an empty one, and with a server_name of no host name', () => {
    const empty = { legacyVersion: 0x0303, sessionId: '', suites: [0x1301, 0xc02b], compression: [0], extensions: [], alpn: [], groups: [], pointFormats: [], signatureAlgorithms: [], supportedVersions: [], pskOffered: false, ticketOffered: false };
    expect(fields(parseClientHello(body({})))).toEqual(empty);
    expect(fields(parseClientHello(body({ extBlock: [0, 0] })))).toEqual(empty);
    const noHost = parseClientHello(hello([[0, vec16([1, ...vec16(ascii('x'))])], [0x0023, []]]));
    expect('serverName' in noHost && noHost.serverName === undefined).toBe(true);
    expect(noHost.ticketOffered).toBe(false);
  });

  it('keeps at most 512 entries of a list, the checked reader\'s cap', () => {
    const suites = Array.from({ length: 600 }, (_, i) => i);
    expect(parseClientHello(body({ suites })).suites).toEqual(suites.slice(0, 512));
    const groups = parseClientHello(hello([[10, list16(...suites)]])).groups;
    expect(groups).toEqual(suites.slice(0, 512));
  });

  // Each malformed hello fails with the checked reader's error: the fast reading gave it up.
  const malformed: Array<[string, Buffer, string]> = [
    ['a repeated extension', hello([[10, list16(29)], [11, vec8([0])], [10, list16(23)]]), 'ClientHello: extension 10 appears twice'],
    ['bytes after the extension block', Buffer.concat([hello([[11, vec8([0])]]), Buffer.from([0])]), 'ClientHello: 1 trailing bytes'],
    ['an extension past the block', body({ extBlock: [0, 6, 0, 10, 0, 9, 0, 2] }), 'ClientHello extensions: truncated (needs 9 bytes at 4, has 2)'],
    ['half an extension header', body({ extBlock: [0, 3, 0, 10, 0] }), 'ClientHello extensions: truncated (needs 2 bytes at 2, has 1)'],
    ['supported_groups with a trailing byte', hello([[10, [...list16(29), 0]]]), 'supported_groups: 1 trailing bytes'],
    ['supported_groups of an odd length', hello([[10, vec16([0, 29, 0])]]), 'supported_groups: truncated (needs 2 bytes at 2, has 1)'],
    ['supported_versions past the extension', hello([[43, [4, 3, 4]]]), 'supported_versions: truncated (needs 4 bytes at 1, has 2)'],
    ['signature_algorithms cut', hello([[13, [0]]]), 'signature_algorithms: truncated (needs 2 bytes at 0, has 1)'],
    ['a host name past its list', hello([[0, vec16([0, 0, 9, 97])]]), 'server_name: truncated (needs 9 bytes at 3, has 1)'],
    ['an ALPN name past its list', hello([[16, vec16([5, 104, 50])]]), 'alpn: truncated (needs 5 bytes at 1, has 2)'],
    ['ec_point_formats cut', hello([[11, [3, 0]]]), 'ec_point_formats: truncated (needs 3 bytes at 1, has 1)'],
    ['an empty ec_point_formats', hello([[11, []]]), 'ec_point_formats: truncated (needs 1 bytes at 0, has 0)'],
    ['an odd suite list', Buffer.from([...u16(0x0303), ...new Array<number>(32).fill(7), 0, 0, 3, 0x13, 0x01, 0x13, 1, 0]), 'ClientHello: odd cipher-suite list length'],
    ['a session id of 33 bytes', body({ sessionId: new Array<number>(33).fill(1) }), 'ClientHello: session id longer than 32 bytes'],
    ['no compression list', Buffer.from([...u16(0x0303), ...new Array<number>(32).fill(7), 0, 0, 2, 0x13, 0x01]), 'ClientHello: truncated (needs 1 bytes at 39, has 0)'],
  ];
  for (const [what, b, message] of malformed) {
    it(`fails ${what} as the checked reader does`, () => {
      expect(() => parseClientHello(b)).toThrow(message);
      expect(outcome(parseClientHello, b)).toEqual(outcome(parseClientHelloChecked, b));
    });
  }

  it('a repeated extension given up on leaves no id marked for the next hello', () => {
    expect(() => parseClientHello(hello([[10, list16(29)], [10, list16(23)]]))).toThrow('appears twice');
    const next = parseClientHello(hello([[10, list16(29)]]));
    expect(next.groups).toEqual([29]);
    // Read the fast way (the checked reader's extensions hold their bytes; the fast reading's make a view when asked).
    expect(Object.getOwnPropertyDescriptor(next.extensions[0]!, 'data')).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(parseClientHelloChecked(hello([[10, list16(29)]])).extensions[0]!, 'data')).toBeDefined();
  });

  it('mutated hellos: the same fields or the same error as the checked reader', () => {
    const base = hello(FULL, { sessionId: [1, 2, 3, 4] });
    const rand = seededInts(16);
    let failed = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(base);
      const kind = rand(3);
      let m: Buffer = b;
      if (kind === 0) for (let k = 0; k <= rand(3); k++) b[rand(b.length)] = rand(4) === 0 ? rand(256) : rand(8);
      else if (kind === 1) m = b.subarray(0, rand(b.length));
      else m = Buffer.concat([b.subarray(0, rand(b.length)), Buffer.from([rand(256)]), b.subarray(rand(b.length))]);
      const want = outcome(parseClientHelloChecked, m);
      if ((want as { error?: string }).error) failed++;
      expect(outcome(parseClientHello, m), `mutation ${i}: ${m.toString('hex')}`).toEqual(want);
    }
    // Both sides of the fast reading are exercised: hellos it reads and hellos it gives up on.
    expect(failed).toBeGreaterThan(300);
    expect(failed).toBeLessThan(2700);
  });
});
