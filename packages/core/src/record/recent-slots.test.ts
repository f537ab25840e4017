import { describe, expect, it } from 'vitest';
import { RecentSlots } from './recent-slots.js';

describe('RecentSlots', () => {
  it('fills free slots, then replaces the oldest first, and says where each item went', () => {
    const s = new RecentSlots<string>(3);
    expect(['a', 'b', 'c'].map((x) => s.add(x))).toEqual([0, 1, 2]);
    expect(s.add('d')).toBe(0);
    expect(s.add('e')).toBe(1);
    expect(s.items).toEqual(['d', 'e', 'c']);
    expect(s.add('f')).toBe(2);
    expect(s.add('g')).toBe(0);
    expect(s.items).toEqual(['g', 'e', 'f']);
  });
});
