import { describe, expect, it } from 'vitest';
import { GenerationCache } from './generation-cache.js';

describe('GenerationCache', () => {
  it('keeps at most two generations of cap entries, and an entry used again survives a turnover', () => {
    const cache = new GenerationCache<number, string>(3);
    for (const k of [1, 2, 3]) cache.set(k, `v${k}`);
    for (const k of [4, 5]) cache.set(k, `v${k}`); // 1-3 become the older generation
    expect(cache.get(1)).toBe('v1'); // moved up into the current one (4, 5, 1)
    cache.set(6, 'v6'); // current full: (4, 5, 1) older, 2 and 3 dropped
    expect(cache.has(2)).toBe(false);
    expect(cache.get(3)).toBeUndefined();
    expect([1, 4, 5, 6].map((k) => cache.get(k))).toEqual(['v1', 'v4', 'v5', 'v6']);
    let held = 0;
    for (let k = 0; k < 100; k++) cache.set(100 + k, 'x');
    for (let k = 0; k < 200; k++) if (cache.has(k)) held++;
    expect(held).toBeLessThanOrEqual(6);
  });

  it('setting a key already held does not turn the generation over', () => {
    const cache = new GenerationCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('b', 3);
    expect([cache.get('a'), cache.get('b')]).toEqual([1, 3]);
  });
});
