import { describe, expect, it } from 'vitest';
import { DoneChunks } from './done-chunks.js';

describe('DoneChunks', () => {
  it('keeps a watermark and only the chunks that finished ahead of it', () => {
    const d = new DoneChunks();
    for (const c of [2, 0, 3, 5]) d.add(c);
    expect(d.below).toBe(1);
    expect(d.extra()).toEqual([2, 3, 5]);
    d.add(1);
    expect(d.below).toBe(4);
    expect(d.extra()).toEqual([5]);
    expect([0, 3, 5].map((c) => d.has(c))).toEqual([true, true, true]);
    expect([4, 6].map((c) => d.has(c))).toEqual([false, false]);
    d.add(3); // a chunk that ran twice counts once
    expect(d.count).toBe(5);
  });

  it('restores from a checkpoint', () => {
    const d = new DoneChunks(10, [12]);
    d.add(10);
    d.add(11);
    expect(d.below).toBe(13);
    expect(d.extra()).toEqual([]);
  });
});
