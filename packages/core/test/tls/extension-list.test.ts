import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/tls/bytes.js';
import { parseExtensions } from '../../src/tls/server-messages.js';

/** An extensions block (its 2-byte length first) of [id, data] pairs, the last one's data cut short by `cut` bytes (the block's length says so). */
function block(exts: Array<[number, number[]]>, cut = 0): ByteReader {
  const body = exts.flatMap(([id, data]) => [id >> 8, id & 255, data.length >> 8, data.length & 255, ...data]).slice(0, -cut || undefined);
  return new ByteReader(Buffer.from([body.length >> 8, body.length & 255, ...body]), 'Hello');
}

describe('parseExtensions', () => {
  it('gives the extensions in order, any ids (0, 31, 32, 65535 share or end the bit words)', () => {
    const exts: Array<[number, number[]]> = [[65535, [1]], [0, []], [31, [2, 3]], [32, []], [64, [4]], [33, [5]]];
    expect(parseExtensions(block(exts)).map((e) => [e.id, [...e.data]])).toEqual(exts);
  });

  it('refuses an extension that appears twice, however far apart', () => {
    expect(() => parseExtensions(block([[5, []], [6, [1]], [7, []], [5, [2]]]))).toThrow('extension 5 appears twice');
    expect(() => parseExtensions(block([[65535, []], [65535, []]]))).toThrow('extension 65535 appears twice');
  });

  it('forgets the ids of a list once parsed, whether it parsed, was cut short or had a repeat', () => {
    parseExtensions(block([[10, []], [11, [1]]]));
    // Cut inside 100's data (100 has a bit word of its own: clearing 12's word does not clear it).
    expect(() => parseExtensions(block([[12, [1, 2]], [100, [3, 4]]], 1))).toThrow('truncated');
    expect(() => parseExtensions(block([[14, []], [15, []], [14, []]]))).toThrow('appears twice');
    // The same ids again, in one list: each once, so no repeat.
    expect(parseExtensions(block([[10, []], [11, []], [12, []], [100, []], [14, []], [15, []]])).map((e) => e.id)).toEqual([10, 11, 12, 100, 14, 15]);
  });
});
