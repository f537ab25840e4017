import { describe, expect, it } from 'vitest';
import { cyclicGroup, primeAbove, ShardWalk } from '@wildtls/core';

function walkAll(size: number, seed: number, shard = 0, shards = 1, from = 0): number[] {
  const w = new ShardWalk(cyclicGroup(size, seed), shard, shards, from);
  const out: number[] = [];
  for (let i = w.next(); i >= 0; i = w.next()) out.push(i);
  return out;
}

describe('cyclic permutation', () => {
  it('picks the smallest prime above the size', () => {
    expect(primeAbove(0)).toBe(2);
    expect(primeAbove(2 ** 16)).toBe(65537);
    expect(primeAbove(2 ** 32)).toBe(4294967311);
  });

  it('visits every index exactly once for many sizes and seeds', () => {
    for (const size of [1, 2, 3, 4, 5, 10, 97, 256, 1000, 4099]) {
      for (const seed of [0, 1, 42, 123456789]) {
        const order = walkAll(size, seed);
        expect(order.length).toBe(size);
        expect(new Set(order).size).toBe(size);
        expect(Math.min(...order)).toBe(0);
        expect(Math.max(...order)).toBe(size - 1);
      }
    }
  });

  it('is reproducible from the seed and differs between seeds', () => {
    expect(walkAll(5000, 7)).toEqual(walkAll(5000, 7));
    expect(walkAll(5000, 7)).not.toEqual(walkAll(5000, 8));
    // Not the identity order.
    expect(walkAll(5000, 7).slice(0, 20)).not.toEqual([...Array(20).keys()]);
  });

  it('restarts at any position with the same tail', () => {
    const full = new ShardWalk(cyclicGroup(3000, 99), 2, 5);
    const seen: Array<[number, number]> = [];
    for (let i = full.next(); i >= 0; i = full.next()) seen.push([full.position - 1, i]);
    for (const cut of [0, 1, 17, 250, seen.length - 1]) {
      const from = seen[cut]![0];
      expect(walkAll(3000, 99, 2, 5, from)).toEqual(seen.slice(cut).map((s) => s[1]));
    }
  });

  it('handles the full IPv4 group without precision loss', () => {
    const g = cyclicGroup(2 ** 32, 1);
    const w = new ShardWalk(g, 0, 1);
    const first = Array.from({ length: 1000 }, () => w.next());
    expect(first.every((i) => Number.isInteger(i) && i >= 0 && i < 2 ** 32)).toBe(true);
    expect(new Set(first).size).toBe(1000);
    // Resuming at position 999 lands on the same element as walking there.
    const again = new ShardWalk(g, 0, 1, w.position - 1);
    expect(again.next()).toBe(first[999]);
    // The walk multiplies by g each step: check one step with BigInt arithmetic.
    const x0 = BigInt(first[0]! + 1);
    expect(Number((x0 * BigInt(g.generator)) % BigInt(g.prime)) - 1).toBe(first[1]);
  });
});
