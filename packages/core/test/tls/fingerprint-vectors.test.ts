/**
 * JA3 and JA4 against their authors' published vectors, on ClientHello bytes
 * built from the vectors' own fields (a declarative description: wire order,
 * GREASE where a browser puts it) and read by the parser the passive follower
 * uses (parseClientHello, then ja3/ja4 as passive-record.ts calls them).
 *
 * - JA4: FoxIO-LLC/ja4, technical_details/JA4.md ("Raw Output": JA4_ro lists
 *   the example ClientHello's suites, extensions and signature algorithms in
 *   wire order; its JA4 is t13d1516h2_8daaf6152771_e5627efa2ab1, the value the
 *   repository's rust snapshot tls-handshake.pcapng.snap gives for Chrome's
 *   connections). The repository's pcaps are binary and not reachable here, so
 *   the vector is this documented hello, not a capture.
 * - JA3: salesforce/ja3 README's two examples and their MD5s.
 */
import { describe, expect, it } from 'vitest';
import { parseClientHello, type ClientHello } from '../../src/tls/client-hello-parse.js';
import { HelloShapes, ja3, ja4 } from '../../src/tls/fingerprints.js';

const u16 = (v: number) => [v >> 8, v & 0xff];
const vec8 = (b: number[]) => [b.length, ...b];
const vec16 = (b: number[]) => [...u16(b.length), ...b];
const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

interface Hello {
  version: number;
  suites: number[];
  /** undefined: no extensions block at all (an SSL 3.0-style hello). */
  extensions?: Array<[id: number, data: number[]]>;
}

/** The ClientHello body (handshake type and length stripped), as parseClientHello takes it. */
function helloBody(h: Hello): Buffer {
  const body = [...u16(h.version), ...new Array<number>(32).fill(7), ...vec8([]), ...vec16(h.suites.flatMap(u16)), ...vec8([0])];
  if (h.extensions) body.push(...vec16(h.extensions.flatMap(([id, data]) => [...u16(id), ...vec16(data)])));
  return Buffer.from(body);
}

const sni = (name: string) => vec16([0, ...vec16(ascii(name))]);
const alpn = (...ids: string[]) => vec16(ids.flatMap((id) => vec8(ascii(id))));
const list16 = (...v: number[]) => vec16(v.flatMap(u16));
const list8of16 = (...v: number[]) => vec8(v.flatMap(u16));

describe('JA4 (FoxIO technical_details/JA4.md)', () => {
  // JA4_ro = t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_
  //          001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_
  //          0403,0804,0401,0503,0805,0501,0806,0601
  const chrome: Hello = {
    version: 0x0303,
    suites: [0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    extensions: [
      [0x2a2a, []],
      [0x001b, [2, 0, 2]],
      [0x0000, sni('www.google.com')],
      [0x0033, vec16([...u16(0x3a3a), ...vec16([0]), ...u16(0x001d), ...vec16(new Array<number>(32).fill(9))])],
      [0x0010, alpn('h2', 'http/1.1')],
      [0x4469, alpn('h2')],
      [0x0017, []],
      [0x002d, vec8([1])],
      [0x000d, list16(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)],
      [0x0005, [1, 0, 0, 0, 0]],
      [0x0023, []],
      [0x0012, []],
      [0x002b, list8of16(0x7a7a, 0x0304, 0x0303)],
      [0xff01, [0]],
      [0x000b, vec8([0])],
      [0x000a, list16(0x3a3a, 0x001d, 0x0017, 0x0018)],
      [0x0015, new Array<number>(40).fill(0)],
      [0xfafa, [0]],
    ],
  };

  it('gives the documented fingerprint for the documented ClientHello, GREASE ignored', () => {
    expect(ja4(parseClientHello(helloBody(chrome)))).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('the same client to an IP (no SNI) and without ALPN changes only the first part, as the spec says', () => {
    const bare = { ...chrome, extensions: chrome.extensions!.filter(([id]) => id !== 0x0000 && id !== 0x0010) };
    expect(ja4(parseClientHello(helloBody(bare)))).toBe('t13i151400_8daaf6152771_e5627efa2ab1');
  });

  it('an empty signature_algorithms list: the extension hash is of the sorted extensions alone (the spec\'s 6d807ffa2a79)', () => {
    const noSigs: Hello = { ...chrome, extensions: chrome.extensions!.map(([id, data]): [number, number[]] => [id, id === 0x000d ? list16() : data]) };
    expect(ja4(parseClientHello(helloBody(noSigs)))).toBe('t13d1516h2_8daaf6152771_6d807ffa2a79');
  });
});

describe('JA3 (salesforce/ja3 README)', () => {
  it('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0 = ada70206e40642a3e4461f35503241d5', () => {
    const hello: Hello = {
      version: 0x0301,
      suites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [[0, sni('example.com')], [10, list16(23, 24, 25)], [11, vec8([0])]],
    };
    expect(ja3(parseClientHello(helloBody(hello)))).toEqual({ full: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0', hash: 'ada70206e40642a3e4461f35503241d5' });
  });

  it('a hello without extensions keeps the empty fields: 769,4-5-10-9-100-98-3-6-19-18-99,,, = de350869b8c85de67a350c8d186f11e6', () => {
    const hello: Hello = { version: 0x0301, suites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99] };
    expect(ja3(parseClientHello(helloBody(hello)))).toEqual({ full: '769,4-5-10-9-100-98-3-6-19-18-99,,,', hash: 'de350869b8c85de67a350c8d186f11e6' });
  });
});

describe('HelloShapes (JA3 and JA4 of shapes seen before remembered)', () => {
  const base: Hello = {
    version: 0x0303,
    suites: [0x1301, 0x1302, 0xc02b, 0xc02f],
    extensions: [[0x0000, sni('a.example')], [0x000a, list16(0x001d, 0x0017)], [0x000b, vec8([0])], [0x000d, list16(0x0403, 0x0804)],
      [0x0010, alpn('h2', 'http/1.1')], [0x002b, list8of16(0x0304, 0x0303)]],
  };
  const swapExt = (h: Hello, id: number, data: number[]): Hello => ({ ...h, extensions: h.extensions!.map(([i, d]): [number, number[]] => [i, i === id ? data : d]) });
  // Each differs from base in one input of JA3 or JA4 (or in none: another SNI name, the same fingerprints).
  const variants: Array<[string, Hello]> = [
    ['base', base],
    ['another server name', swapExt(base, 0x0000, sni('b.example'))],
    ['legacy version', { ...base, version: 0x0301 }],
    ['suite order', { ...base, suites: [0x1302, 0x1301, 0xc02b, 0xc02f] }],
    ['one suite more', { ...base, suites: [...base.suites, 0x009c] }],
    ['extension order', { ...base, extensions: [base.extensions![1]!, base.extensions![0]!, ...base.extensions!.slice(2)] }],
    ['no SNI', { ...base, extensions: base.extensions!.filter(([id]) => id !== 0x0000) }],
    ['groups', swapExt(base, 0x000a, list16(0x0017, 0x001d))],
    ['point formats', swapExt(base, 0x000b, vec8([0, 1]))],
    ['signature algorithms', swapExt(base, 0x000d, list16(0x0804, 0x0403))],
    ['first ALPN value', swapExt(base, 0x0010, alpn('http/1.1', 'h2'))],
    ['second ALPN value only', swapExt(base, 0x0010, alpn('h2', 'h3'))],
    ['no ALPN', { ...base, extensions: base.extensions!.filter(([id]) => id !== 0x0010) }],
    ['supported versions', swapExt(base, 0x002b, list8of16(0x0303))],
  ];

  const want = variants.map(([, h]) => {
    const ch = parseClientHello(helloBody(h));
    const j3 = ja3(ch);
    return { ja3: j3.hash, ja3Full: j3.full, ja4: ja4(ch) };
  });

  const rounds = (fingerprints: (ch: ClientHello) => unknown) => {
    for (let round = 0; round < 3; round++) {
      const order = variants.map((_, i) => i);
      if (round === 1) order.reverse();
      if (round === 2) order.sort((a, b) => (a * 5) % variants.length - (b * 5) % variants.length);
      for (const i of order) expect(fingerprints(parseClientHello(helloBody(variants[i]![1]))), variants[i]![0]).toEqual(want[i]);
    }
  };

  it('gives every hello its own JA3 and JA4, seen for the first time or again, in any order', () => {
    const shapes = new HelloShapes();
    rounds((ch) => shapes.get(ch));
    // The variants are told apart by their fingerprints (else this test could not see a mix-up).
    expect(new Set(want.map((w) => `${w.ja3Full} ${w.ja4}`)).size).toBe(variants.length - 2); // 'another server name' and 'second ALPN value only' share base's
  });

  it('tells shapes apart by their fields when their hashes are the same (every shape in one bucket)', () => {
    const oneBucket = new HelloShapes(() => 7);
    rounds((ch) => oneBucket.get(ch));
  });

  it('remembers a shape from its second time: hellos that never repeat (extensions permuted) are not kept', () => {
    const shapes = new HelloShapes();
    const exts = base.extensions!;
    for (let i = 1; i < exts.length; i++) {
      const permuted = { ...base, extensions: [...exts.slice(i), ...exts.slice(0, i)] };
      const ch = parseClientHello(helloBody(permuted));
      expect(shapes.get(ch).ja3Full).toBe(ja3(ch).full);
    }
    expect(shapes.size).toBe(0);
    shapes.get(parseClientHello(helloBody(base)));
    expect(shapes.size).toBe(0);
    expect(shapes.get(parseClientHello(helloBody(base)))).toEqual(want[0]);
    expect(shapes.size).toBe(1);
    expect(shapes.get(parseClientHello(helloBody(base)))).toEqual(want[0]);
    expect(shapes.size).toBe(1);
  });

  it('gives a compute that reads the whole ALPN list (the passive record keeps it per shape) each hello\'s own, every shape in one bucket', () => {
    const alpnLists = new HelloShapes<string>(() => 7, undefined, (ch) => ch.alpn.join(','));
    for (let round = 0; round < 3; round++) {
      for (const [name, h] of variants) {
        const ch = parseClientHello(helloBody(h));
        expect(alpnLists.get(ch), name).toBe(ch.alpn.join(','));
      }
    }
  });

  it('stays right after it forgets (full at 3 shapes)', () => {
    const small = new HelloShapes(undefined, 3);
    rounds((ch) => small.get(ch));
  });
});
