import { describe, expect, it } from 'vitest';
import { IpPairs } from '../src/ip-pairs.js';

/** Distinct IPs per group, per service and overall, counted plainly from the pairs added. */
function expected(pairs: Array<[number, number]>, serviceOfGroup: number[]) {
  const byGroup = new Map<number, Set<number>>();
  const byService = new Map<number, Set<number>>();
  const all = new Set<number>();
  for (const [ip, g] of pairs) {
    (byGroup.get(g) ?? byGroup.set(g, new Set()).get(g)!).add(ip);
    (byService.get(serviceOfGroup[g]!) ?? byService.set(serviceOfGroup[g]!, new Set()).get(serviceOfGroup[g]!)!).add(ip);
    all.add(ip);
  }
  const sizes = (m: Map<number, Set<number>>) => new Map([...m].map(([k, v]): [number, number] => [k, v.size]).sort((a, b) => a[0] - b[0]));
  return { byGroup: sizes(byGroup), byService: sizes(byService), all: all.size };
}

const sorted = (m: Map<number, number>) => new Map([...m].sort((a, b) => a[0] - b[0]));

describe('IpPairs', () => {
  it('counts as a plain count does for 0, 1, 2, 16, 17 and 200 pairs (the first in a field, then an array, then a Set), duplicates included', () => {
    const serviceOfGroup = [0, 0, 1];
    for (const n of [0, 1, 2, 3, 16, 17, 18, 200]) {
      const p = new IpPairs();
      const added: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) {
        // IPs above 2^32 (interned IPv6 ids) too; every pair twice, and the first pair again at the end.
        const pair: [number, number] = [i % 5 === 0 ? 2 ** 32 + i : 0xc0000200 + (i >> 1), i % 3];
        p.add(...pair);
        p.add(...pair);
        added.push(pair);
      }
      if (n) p.add(...added[0]!);
      const got = p.counts(serviceOfGroup);
      const want = expected(added, serviceOfGroup);
      expect({ byGroup: sorted(got.byGroup), byService: sorted(got.byService), all: got.all }).toEqual(want);
    }
  });
});
