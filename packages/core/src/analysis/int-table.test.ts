import { describe, expect, it } from 'vitest';
import { IntMap, IntSet } from './int-table.js';
import { ServerMap, ServerSet } from './server-set.js';

/** A deterministic pseudo-random integer below 2^48 (xorshift on two 24-bit halves). */
function keys(n: number, seed = 1): number[] {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) & 0xffffff);
  return Array.from({ length: n }, () => next() * 2 ** 24 + next());
}

describe('IntSet', () => {
  it('agrees with a Set through growth from 16 slots to a million keys, duplicates included', () => {
    const s = new IntSet();
    const ref = new Set<number>();
    const ks = keys(200_000);
    for (const k of [...ks, ...ks.slice(0, 50_000)]) expect(s.add(k)).toBe(!ref.has(k) && !!ref.add(k));
    expect(s.size).toBe(ref.size);
    for (const k of ks) expect(s.has(k)).toBe(true);
    for (const k of keys(10_000, 99)) expect(s.has(k)).toBe(ref.has(k));
    expect(new Set(s.keyList())).toEqual(ref);
  });

  it('keeps keys near 2^48 and 2^53 apart from their neighbours, and 0', () => {
    const s = new IntSet();
    const edge = [0, 1, 2 ** 48 - 1, 2 ** 48 - 2, 2 ** 48, 2 ** 32, 2 ** 32 - 1, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1];
    for (const k of edge) expect(s.add(k)).toBe(true);
    for (const k of edge) expect(s.add(k)).toBe(false);
    expect(s.size).toBe(edge.length);
    expect(s.has(2 ** 48 - 3)).toBe(false);
    expect(s.has(-1)).toBe(false); // the empty slot's mark is not a key
    expect(s.has(Number.NaN)).toBe(false);
  });

  it('refuses what is not an integer key in range', () => {
    const s = new IntSet();
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) expect(() => s.add(bad)).toThrow(RangeError);
    expect(s.size).toBe(0);
  });

  it('collisions: keys of one home slot (equal low bits, same high half) all stay findable, and deletion keeps later ones of the run', () => {
    // Keys differing only above bit 32 and keys 2^32 apart: many share a home slot in a small table.
    const s = new IntSet();
    const ref = new Set<number>();
    const ks = Array.from({ length: 5000 }, (_, i) => (i % 50) * 2 ** 32 + Math.floor(i / 50) * 16);
    for (const k of ks) {
      s.add(k);
      ref.add(k);
    }
    for (const [i, k] of ks.entries()) {
      if (i % 3) continue;
      expect(s.delete(k)).toBe(true);
      expect(s.delete(k)).toBe(false);
      ref.delete(k);
    }
    expect(s.size).toBe(ref.size);
    for (const k of ks) expect(s.has(k)).toBe(ref.has(k));
    // Re-adding after deletion.
    for (const k of ks) s.add(k);
    expect(s.size).toBe(ks.length);
  });

  it('deletion interleaved with insertion agrees with a Set (random keys, a small table that wraps)', () => {
    const s = new IntSet();
    const ref = new Set<number>();
    const ks = keys(30_000, 7);
    for (const [i, k] of ks.entries()) {
      s.add(k);
      ref.add(k);
      if (i % 4 === 3) {
        const d = ks[(i * 7919) % (i + 1)]!;
        expect(s.delete(d)).toBe(ref.delete(d));
      }
    }
    expect(s.size).toBe(ref.size);
    for (const k of ks) expect(s.has(k)).toBe(ref.has(k));
  });

  it('holds more than 2^24 keys, where a Set throws', () => {
    const s = new IntSet();
    const n = 2 ** 24 + 1000;
    for (let i = 0; i < n; i++) s.add(i * 65536 + 25);
    expect(s.size).toBe(n);
    expect(s.has((n - 1) * 65536 + 25)).toBe(true);
    expect(s.has(n * 65536 + 25)).toBe(false);
  }, 60_000);
});

describe('IntMap', () => {
  it('agrees with a Map: set, overwrite, get, delete, through growth', () => {
    const m = new IntMap();
    const ref = new Map<number, number>();
    const ks = keys(100_000, 3);
    for (const [i, k] of ks.entries()) {
      m.set(k, i % 65536 - 1);
      ref.set(k, i % 65536 - 1);
    }
    for (const [i, k] of ks.entries()) if (i % 5 === 0) {
      m.set(k, -7);
      ref.set(k, -7);
    }
    for (const [i, k] of ks.entries()) if (i % 7 === 0) expect(m.delete(k)).toBe(ref.delete(k));
    expect(m.size).toBe(ref.size);
    for (const k of ks) expect(m.get(k)).toBe(ref.get(k));
    expect(m.get(2 ** 48 - 1)).toBe(ref.get(2 ** 48 - 1));
  });
});

describe('ServerSet and ServerMap', () => {
  it('count packed keys and string keys (IPv6, odd records) as one set', () => {
    const s = new ServerSet();
    expect(s.add(42)).toBe(true);
    expect(s.add('2001:db8::1|25')).toBe(true);
    expect(s.add('2001:db8::1|25')).toBe(false);
    expect(s.add(42)).toBe(false);
    expect(s.size).toBe(2);
    expect(s.delete('2001:db8::1|25')).toBe(true);
    expect(s.has('2001:db8::1|25')).toBe(false);
    expect(s.size).toBe(1);
    const m = new ServerMap();
    m.set(42, 3).set('x|1', 4).set(42, 5);
    expect([m.get(42), m.get('x|1'), m.get(43), m.size]).toEqual([5, 4, undefined, 2]);
    expect(m.has('x|1')).toBe(true);
  });
});
