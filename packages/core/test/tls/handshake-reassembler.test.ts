import { describe, expect, it } from 'vitest';
import { handshakeMessage } from '../../src/tls/bytes.js';
import { HandshakeReassembler } from '../../src/tls/handshake-reassembler.js';

// Messages of 0 to 300 bytes; the reference is the list itself, whatever the cut into fragments.
const messages = [handshakeMessage(2, Buffer.alloc(40, 1)), handshakeMessage(14, Buffer.alloc(0)), handshakeMessage(11, Buffer.alloc(300, 3)), handshakeMessage(22, Buffer.alloc(5, 4))];
const stream = Buffer.concat(messages);
const starts = messages.map((_, i) => messages.slice(0, i).reduce((n, m) => n + m.length, 0));

function reassemble(cuts: number[], base = 1000): Array<{ type: number; raw: Buffer; offset: number }> {
  const r = new HandshakeReassembler(1024);
  const out = [];
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    r.push(stream.subarray(prev, cut), base + prev);
    for (let m = r.next(); m; m = r.next()) out.push(m);
    prev = cut;
  }
  expect(r.pending).toBe(0);
  return out;
}

describe('HandshakeReassembler', () => {
  it('gives every message with its exact stream offset, for a cut at any one point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = reassemble([cut]);
      expect(got.map((m) => m.raw), `cut at ${cut}`).toEqual(messages);
      expect(got.map((m) => m.offset)).toEqual(starts.map((s) => 1000 + s));
      expect(got.map((m) => m.type)).toEqual([2, 14, 11, 22]);
    }
  });

  it('nextBody: every body, its type and offset, for a cut at any one point and at every byte, mixed with next()', () => {
    for (const cuts of [...Array.from({ length: stream.length + 1 }, (_, cut) => [cut]), Array.from({ length: stream.length - 1 }, (_, i) => i + 1)]) {
      const r = new HandshakeReassembler(1024);
      const got: Array<[number, number, Buffer]> = [];
      let prev = 0;
      for (const cut of [...cuts, stream.length]) {
        r.push(stream.subarray(prev, cut), 500 + prev);
        for (;;) {
          // Every other message through next(): the two share one reading.
          if (got.length % 2 === 1) {
            const m = r.next();
            if (!m) break;
            got.push([m.type, m.offset, m.raw.subarray(4)]);
          } else {
            const body = r.nextBody();
            if (!body) break;
            got.push([r.messageType, r.messageOffset, body]);
          }
        }
        prev = cut;
      }
      expect(got, `cuts ${cuts.length === 1 ? cuts[0] : 'every byte'}`).toEqual(messages.map((m, i) => [m[0], 500 + starts[i]!, m.subarray(4)]));
      expect(r.pending).toBe(0);
    }
  });

  it('nextBody fails a length over the cap as next() does', () => {
    const r = new HandshakeReassembler(100);
    r.push(Buffer.from([11, 0, 1, 0, 9]), 50);
    expect(() => r.nextBody()).toThrow('Certificate of 256 bytes exceeds the 100-byte cap');
  });

  it('one byte per fragment', () => {
    const got = reassemble(Array.from({ length: stream.length - 1 }, (_, i) => i + 1));
    expect(got.map((m) => m.raw)).toEqual(messages);
    expect(got.map((m) => m.offset)).toEqual(starts.map((s) => 1000 + s));
  });

  it('a message inside one fragment is a view of it, not a copy', () => {
    const r = new HandshakeReassembler(1024);
    r.push(stream, 0);
    expect(r.next()!.raw.buffer).toBe(stream.buffer);
  });

  it('a length over the cap fails as soon as the header is complete, even when the header spans fragments', () => {
    const r = new HandshakeReassembler(100);
    r.push(Buffer.from([11, 0]), 50);
    expect(r.next()).toBeUndefined();
    r.push(Buffer.from([1]), 60);
    expect(r.next()).toBeUndefined();
    r.push(Buffer.from([0]), 70);
    expect(() => r.next()).toThrow('Certificate of 256 bytes exceeds the 100-byte cap');
  });

  it('pending counts the bytes of an unfinished message', () => {
    const r = new HandshakeReassembler(1024);
    r.push(stream.subarray(0, 2), 0);
    expect(r.next()).toBeUndefined();
    expect(r.pending).toBe(2);
    r.push(stream.subarray(2, 30), 2);
    expect(r.next()).toBeUndefined();
    expect(r.pending).toBe(30);
  });
});
