/**
 * readServerHello reads a well-formed ServerHello with plain offsets and leaves any other to the
 * engine's checked reader (parseServerHello), so that a malformed one fails as the engine fails it.
 * The hellos are built from declared fields; the fields and errors expected are written out.
 */
import { describe, expect, it } from 'vitest';
import { readerOutcome, seededInts, u16, vec16, vec8 } from '../../test/tls/differential.js';
import { HRR_RANDOM } from './names.js';
import { readServerHello } from './server-hello-read.js';
import { parseServerHello, type ServerHello } from './server-messages.js';

type Ext = [id: number, data: number[]];
const block = (exts: Ext[]) => vec16(exts.flatMap(([id, data]) => [...u16(id), ...vec16(data)]));

function hello(opts: { random?: number[]; sessionId?: number[]; suite?: number; tail?: number[] }): Buffer {
  return Buffer.from([...u16(0x0303), ...(opts.random ?? new Array<number>(32).fill(7)), ...vec8(opts.sessionId ?? []), ...u16(opts.suite ?? 0x1302), 0, ...(opts.tail ?? [])]);
}

const TLS13: Ext[] = [[43, u16(0x0304)], [51, [0, 29, 0, 2, 9, 9]]];

function fields(sh: ServerHello): unknown {
  return { ...sh, random: sh.random.toString('hex'), sessionId: sh.sessionId.toString('hex'), extensions: sh.extensions.map((e) => [e.id, e.data.toString('hex')]) };
}

const outcome = (parse: (b: Buffer) => ServerHello, b: Buffer): unknown => readerOutcome(parse, b, fields);

describe('readServerHello', () => {
  it('reads a TLS 1.3 ServerHello, a hello retry, and one without extensions', () => {
    expect(fields(readServerHello(hello({ sessionId: [1, 2, 3], tail: block(TLS13) })))).toEqual({
      legacyVersion: 0x0303, random: '07'.repeat(32), sessionId: '010203', cipherSuite: 0x1302, compression: 0,
      extensions: [[43, '0304'], [51, '001d00020909']], isHelloRetry: false,
    });
    expect(readServerHello(hello({ random: [...HRR_RANDOM], tail: block([[43, u16(0x0304)], [51, u16(23)]]) })).isHelloRetry).toBe(true);
    const lastByteOff = [...HRR_RANDOM];
    lastByteOff[31] ^= 1;
    expect(readServerHello(hello({ random: lastByteOff, tail: block(TLS13) })).isHelloRetry).toBe(false);
    expect(fields(readServerHello(hello({ suite: 0xc02b })))).toMatchObject({ cipherSuite: 0xc02b, extensions: [], isHelloRetry: false });
    expect(readServerHello(hello({ tail: [0, 0] })).extensions).toEqual([]);
  });

  const malformed: Array<[string, Buffer, string]> = [
    ['a repeated extension', hello({ tail: block([[43, u16(0x0304)], [43, u16(0x0304)]]) }), 'ServerHello: extension 43 appears twice'],
    ['bytes after the extension block', hello({ tail: [...block(TLS13), 0] }), 'ServerHello: 1 trailing bytes'],
    ['an extension past the block', hello({ tail: [0, 6, 0, 43, 0, 9, 3, 4] }), 'ServerHello extensions: truncated (needs 9 bytes at 4, has 2)'],
    ['a block length past the body', hello({ tail: [0, 9, 0, 43, 0, 2, 3, 4] }), 'ServerHello: truncated (needs 9 bytes at 40, has 6)'],
    ['one byte of a block length', hello({ tail: [0] }), 'ServerHello: truncated (needs 2 bytes at 38, has 1)'],
    ['a session id of 33 bytes', hello({ sessionId: new Array<number>(33).fill(1) }), 'ServerHello: session id longer than 32 bytes'],
    ['no compression byte', hello({}).subarray(0, 37), 'ServerHello: truncated (needs 1 bytes at 37, has 0)'],
    ['a cut random', hello({}).subarray(0, 20), 'ServerHello: truncated (needs 32 bytes at 2, has 18)'],
  ];
  for (const [what, b, message] of malformed) {
    it(`fails ${what} as the checked reader does`, () => {
      expect(() => readServerHello(b)).toThrow(message);
      expect(outcome(readServerHello, b)).toEqual(outcome(parseServerHello, b));
    });
  }

  it('reads the fast way after a repeated extension was given up on (no id left marked), and its extensions\' bytes are views made when asked', () => {
    expect(() => readServerHello(hello({ tail: block([[51, [1]], [51, [2]]]) }))).toThrow('appears twice');
    const sh = readServerHello(hello({ tail: block([[51, [0, 29]]]) }));
    expect(Object.getOwnPropertyDescriptor(sh.extensions[0]!, 'data')).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(parseServerHello(hello({ tail: block([[51, [0, 29]]]) })).extensions[0]!, 'data')).toBeDefined();
  });

  it('mutated hellos: the same fields or the same error as the checked reader', () => {
    const base = hello({ sessionId: new Array<number>(32).fill(5), tail: block([...TLS13, [16, vec16(vec8([104, 50]))], [41, u16(0)]]) });
    const rand = seededInts(43);
    let failed = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(base);
      const kind = rand(3);
      let m: Buffer = b;
      if (kind === 0) for (let k = 0; k <= rand(3); k++) b[34 + rand(b.length - 34)] = rand(4) === 0 ? rand(256) : rand(8);
      else if (kind === 1) m = b.subarray(0, rand(b.length));
      else m = Buffer.concat([b.subarray(0, rand(b.length)), Buffer.from([rand(256)]), b.subarray(rand(b.length))]);
      const want = outcome(parseServerHello, m);
      if ((want as { error?: string }).error) failed++;
      expect(outcome(readServerHello, m), `mutation ${i}: ${m.toString('hex')}`).toEqual(want);
    }
    expect(failed).toBeGreaterThan(300);
    expect(failed).toBeLessThan(2700);
  });
});
