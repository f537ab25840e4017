import { describe, expect, it } from 'vitest';
import { ByteQueue } from './byte-queue.js';

/** Seeded PRNG (mulberry32): every failure reproducible from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stream cut into pieces of 1 to `max` bytes. */
function cut(stream: Buffer, r: () => number, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length;) {
    const n = 1 + Math.floor(r() * max);
    out.push(stream.subarray(i, i + n));
    i += n;
  }
  return out;
}

// The reference is the stream itself: whatever the split, the queue must hand back its bytes in order.
describe('ByteQueue', () => {
  it('take() returns the stream in order across any split (views within a chunk, one copy across)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const r = rng(seed);
      const stream = Buffer.from(Array.from({ length: 5000 }, () => Math.floor(r() * 256)));
      const q = new ByteQueue();
      const got: Buffer[] = [];
      for (const piece of cut(stream, r, seed % 2 ? 1 : 40)) {
        q.push(piece);
        while (q.length > 0 && r() < 0.5) got.push(q.take(1 + Math.floor(r() * Math.min(q.length, 60))));
      }
      got.push(q.takeAll());
      expect(Buffer.concat(got).equals(stream), `seed ${seed}`).toBe(true);
      expect(q.length).toBe(0);
    }
  });

  it('takeLine() gives each line of the stream, LF and the CR before it cut, within a chunk or across', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      // Lines of bytes 0x00-0xff (LF excepted), some ending in CRLF, some in LF, some with a CR inside or alone.
      const lines = Array.from({ length: 60 }, () => {
        const body = Array.from({ length: Math.floor(r() * 30) }, () => {
          const b = Math.floor(r() * 256);
          return b === 0x0a ? 0x0d : b;
        });
        return { body: Buffer.from(body), crlf: r() < 0.5 };
      });
      const stream = Buffer.concat(lines.map((l) => Buffer.concat([l.body, Buffer.from(l.crlf ? '\r\n' : '\n')])));
      // The truth, from the stream alone: split at LF, then one trailing CR dropped.
      const want = stream.toString('latin1').split('\n').slice(0, -1).map((t) => (t.endsWith('\r') ? t.slice(0, -1) : t));
      const q = new ByteQueue();
      const got: string[] = [];
      const takeLines = () => {
        for (let lf = q.indexOf(0x0a); lf >= 0; lf = q.indexOf(0x0a)) got.push(q.takeLine(lf + 1));
      };
      for (const piece of cut(stream, r, seed % 2 ? 3 : 50)) {
        q.push(piece);
        takeLines();
      }
      expect(got, `seed ${seed}`).toEqual(want);
      expect(q.length).toBe(0);
    }
  });

  it('peek(i) is the i-th byte from the front', () => {
    const q = new ByteQueue();
    for (const b of [Buffer.from([1]), Buffer.from([2, 3]), Buffer.from([4]), Buffer.from([5, 6, 7])]) q.push(b);
    q.take(2);
    expect([0, 1, 2, 3, 4].map((i) => q.peek(i))).toEqual([3, 4, 5, 6, 7]);
  });

  it('indexOf() finds what Buffer.indexOf finds in the joined bytes, also when a search resumes after more bytes arrive', () => {
    for (let seed = 1; seed <= 16; seed++) {
      const r = rng(seed * 31);
      const text = Buffer.from(Array.from({ length: 3000 }, () => (r() < 0.01 ? 0x0a : 0x41)));
      const q = new ByteQueue();
      let consumed = 0;
      let scanned = 0;
      for (const piece of cut(text, r, seed % 2 ? 1 : 300)) {
        q.push(piece);
        for (;;) {
          const i = q.indexOf(0x0a, scanned);
          const rest = text.subarray(consumed, consumed + q.length);
          expect(i, `seed ${seed}`).toBe(rest.indexOf(0x0a, scanned));
          if (i < 0) {
            scanned = q.length;
            break;
          }
          q.take(i + 1);
          consumed += i + 1;
          scanned = 0;
        }
      }
    }
  });

  it('a search resumed across a batch drop of consumed chunks still finds the byte', () => {
    const q = new ByteQueue();
    const a = Buffer.from('A');
    for (let i = 0; i < 4000; i++) {
      q.push(a);
      expect(q.indexOf(0x0a, i)).toBe(-1);
    }
    expect(q.take(2500).equals(Buffer.alloc(2500, 'A'))).toBe(true);
    q.push(Buffer.from('\nB'));
    expect(q.indexOf(0x0a, 1500)).toBe(1500);
    expect(q.take(1501).toString()).toBe('A'.repeat(1500) + '\n');
    expect(q.takeAll().toString()).toBe('B');
  });

  it('own() keeps the stream whole when each piece is a view of a buffer reused after the push (a capture read buffer)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const r = rng(seed);
      const stream = Buffer.from(Array.from({ length: 5000 }, () => Math.floor(r() * 256)));
      const reused = Buffer.alloc(64);
      const q = new ByteQueue();
      const got: Buffer[] = [];
      for (const piece of cut(stream, r, seed % 2 ? 3 : 60)) {
        piece.copy(reused);
        q.push(reused.subarray(0, piece.length));
        while (q.length > 0 && r() < 0.3) got.push(Buffer.from(q.take(1 + Math.floor(r() * Math.min(q.length, 90)))));
        if (r() < 0.2) q.push(Buffer.alloc(0));
        q.own();
        reused.fill(0xee); // the owner reuses its buffer: nothing queued may still point into it
      }
      got.push(q.takeAll());
      expect(Buffer.concat(got).equals(stream), `seed ${seed}`).toBe(true);
    }
  });

  it('own() copies each byte once, however many times it is called while a long record waits', () => {
    const q = new ByteQueue();
    const piece = Buffer.alloc(100, 1);
    const copies: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      q.push(Buffer.from(piece));
      q.own();
      copies.push(...((q as unknown as { chunks: Buffer[] }).chunks));
    }
    // Every chunk held is a copy made once: 200 distinct buffers of 100 bytes, none grown or re-made.
    expect(new Set(copies).size).toBe(200);
    expect(q.takeAll().equals(Buffer.alloc(20_000, 1))).toBe(true);
  });
});
