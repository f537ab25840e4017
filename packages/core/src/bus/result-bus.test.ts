import { describe, expect, it } from 'vitest';
import { ResultBus } from './result-bus.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ResultBus', () => {
  it('delivers every item to every subscriber, in order', async () => {
    const bus = new ResultBus<number>(4);
    const a: number[] = [];
    const b: number[] = [];
    bus.subscribe('a', (n) => void a.push(n));
    bus.subscribe('b', async (n) => {
      await tick(0);
      b.push(n);
    });
    for (let i = 0; i < 100; i++) await bus.publish(i);
    await bus.close();
    expect(a).toEqual([...Array(100).keys()]);
    expect(b).toEqual([...Array(100).keys()]);
  });

  it('applies backpressure: a slow subscriber bounds what is queued and loses nothing', async () => {
    const hwm = 8;
    const bus = new ResultBus<number>(hwm);
    const seen: number[] = [];
    let maxQueued = 0;
    bus.subscribe('slow', async (n) => {
      await tick(1);
      seen.push(n);
    });
    const t0 = Date.now();
    for (let i = 0; i < 200; i++) {
      await bus.publish(i);
      maxQueued = Math.max(maxQueued, bus.stats().subscribers[0]!.queued);
    }
    const publishMs = Date.now() - t0;
    await bus.close();
    expect(maxQueued).toBeLessThanOrEqual(hwm);
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    // The publisher was held back by the consumer (200 items at >= 1 ms each, minus the queue).
    expect(publishMs).toBeGreaterThanOrEqual(150);
  });

  it('surfaces a failing subscriber to the publisher and to close()', async () => {
    const bus = new ResultBus<number>(2);
    bus.subscribe('broken', (n) => {
      if (n === 3) throw new Error('disk full');
    });
    await expect(async () => {
      for (let i = 0; i < 50; i++) await bus.publish(i);
    }).rejects.toThrow(/subscriber "broken" failed: disk full/);
    await expect(bus.close()).rejects.toThrow(/disk full/);
  });

  it('a subscriber that returns no promise handles each item as it is published; one that returns a promise is waited for', async () => {
    const bus = new ResultBus<number>(8);
    const sync: number[] = [];
    const later: number[] = [];
    bus.subscribe('sync', (n) => void sync.push(n));
    bus.subscribe('async', (n) => (n % 2 ? Promise.resolve().then(() => void later.push(n)) : void later.push(n)));
    const published = [1, 2, 3, 4, 5].map((n) => bus.publish(n));
    // Handled at once (no microtask between items), before any publish has resolved.
    expect(sync).toEqual([1, 2, 3, 4, 5]);
    expect(later).toEqual([]); // 1's promise holds the rest back, in order
    await Promise.all(published);
    await bus.close();
    expect(later).toEqual([1, 2, 3, 4, 5]);
  });

  it('a subscriber that throws (no promise) fails the bus as one that rejects does', async () => {
    const bus = new ResultBus<number>(4);
    bus.subscribe('bad', (n) => {
      if (n === 2) throw new Error('boom');
    });
    await bus.publish(1);
    await bus.publish(2);
    await expect(bus.publish(3)).rejects.toThrow('subscriber "bad" failed: boom');
    await expect(bus.close()).rejects.toThrow('boom');
  });

  it('serves thousands of publishers waiting for room in the order they came, and wakes them all when a subscriber fails', async () => {
    // A burst (a capture's end: every open connection's record at once) leaves most publishers waiting.
    const bus = new ResultBus<number>(2);
    const seen: number[] = [];
    bus.subscribe('async', async (n) => {
      await Promise.resolve();
      seen.push(n);
    });
    await Promise.all(Array.from({ length: 5000 }, (_, i) => bus.publish(i)));
    await bus.close();
    expect(seen).toEqual([...Array(5000).keys()]);

    const failing = new ResultBus<number>(2);
    failing.subscribe('bad', async (n) => {
      await Promise.resolve();
      if (n === 1500) throw new Error('disk full');
    });
    const settled = await Promise.allSettled(Array.from({ length: 3000 }, (_, i) => failing.publish(i)));
    expect(settled.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(1500);
    expect(settled.at(-1)).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/disk full/) }) });
    await expect(failing.close()).rejects.toThrow(/disk full/);
  });

  it('offer() delivers at once when every queue has room, and declines (doing nothing) while a queue is full or a publisher waits', async () => {
    const bus = new ResultBus<number>(2);
    const fast: number[] = [];
    const slow: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    bus.subscribe('fast', (n) => void fast.push(n));
    bus.subscribe('slow', async (n) => {
      await gate;
      slow.push(n);
    });
    expect(bus.offer(1)).toBe(true);
    expect(fast).toEqual([1]); // handled before offer() returned
    expect(bus.offer(2)).toBe(true); // slow: 1 in its handler, 2 queued
    expect(bus.offer(3)).toBe(true); // slow's queue: 2, 3 (full)
    expect(bus.offer(4)).toBe(false);
    expect(fast).toEqual([1, 2, 3]); // 4 went nowhere
    const waiting = bus.publish(4); // waits for room in slow's queue
    expect(bus.offer(5)).toBe(false);
    expect(fast).toEqual([1, 2, 3, 4]);
    open();
    await waiting;
    await tick(0); // slow's queue drains
    expect(bus.stats().subscribers[1]!.queued).toBe(0);
    expect(bus.offer(5)).toBe(true);
    await bus.close();
    expect(fast).toEqual([1, 2, 3, 4, 5]);
    expect(slow).toEqual([1, 2, 3, 4, 5]);
    expect(bus.stats().published).toBe(5);
    expect(() => bus.offer(6)).toThrow(/after close/);
  });

  it('offer() refuses once a subscriber has failed', async () => {
    const bus = new ResultBus<number>(4);
    bus.subscribe('bad', (n) => {
      if (n === 2) throw new Error('boom');
    });
    expect(bus.offer(1)).toBe(true);
    expect(bus.offer(2)).toBe(true);
    expect(() => bus.offer(3)).toThrow('subscriber "bad" failed: boom');
  });

  it('refuses to publish after close', async () => {
    const bus = new ResultBus<number>();
    await bus.close();
    await expect(bus.publish(1)).rejects.toThrow(/after close/);
  });
});
