import { describe, expect, it } from 'vitest';
import { PositionTracker } from '@wildtls/core';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('position tracker', () => {
  it('never advances past a target whose records are not all written (random completion order)', () => {
    for (let trial = 0; trial < 50; trial++) {
      const rand = rng(trial + 1);
      const tracker = new PositionTracker(0);
      const pending: Array<{ rec: object; key: string; position: number }> = [];
      const writtenAt = new Map<number, number>(); // position -> records written
      const probesAt = new Map<number, number>();
      let position = 0;
      const check = () => {
        const snap = tracker.snapshot({ excluded: 0, invalid: 0 });
        const unfinished: number[] = [];
        for (let p = 0; p < snap.position; p++) if ((writtenAt.get(p) ?? 0) !== (probesAt.get(p) ?? 0)) unfinished.push(p);
        if (unfinished.length) expect.fail(`trial ${trial}: checkpoint at ${snap.position} passed unfinished positions ${unfinished.join(',')}`);
        // `written` lists exactly the records written at or after the checkpoint position.
        let expected = 0;
        for (const [p, n] of writtenAt) if (p >= snap.position) expected += n;
        if (snap.written.length !== expected) expect.fail(`trial ${trial}: ${snap.written.length} written keys, expected ${expected}`);
      };
      for (let step = 0; step < 400; step++) {
        if (rand() < 0.5 && position < 150) {
          // The source yields a target (sometimes several at one position, sometimes skips positions).
          position += rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 3);
          tracker.input(position, { excluded: 0, invalid: 0 });
          const n = Math.floor(rand() * 3);
          for (let k = 0; k < n; k++) {
            tracker.started(position);
            const rec = {};
            tracker.tag(rec, position);
            pending.push({ rec, key: `${position}-${step}-${k}`, position });
            probesAt.set(position, (probesAt.get(position) ?? 0) + 1);
          }
        } else if (pending.length) {
          const [done] = pending.splice(Math.floor(rand() * pending.length), 1);
          tracker.written(done!.rec, done!.key);
          writtenAt.set(done!.position, (writtenAt.get(done!.position) ?? 0) + 1);
        }
        if (rand() < 0.2) check();
      }
      for (const done of pending.splice(0)) {
        tracker.written(done.rec, done.key);
        writtenAt.set(done.position, (writtenAt.get(done.position) ?? 0) + 1);
      }
      tracker.end();
      check();
      expect(tracker.complete).toBe(true);
      expect(tracker.snapshot({ excluded: 0, invalid: 0 }).position).toBe(position + 1);
    }
  });

  it('follows records written in the order they were tagged with some always in flight (a slow sink), and counts records written without a key', () => {
    const tracker = new PositionTracker(0);
    const inFlight: Array<{ rec: object; position: number }> = [];
    const pendingAt = new Map<number, number>();
    let keys = 0;
    for (let position = 0; position < 3000; position++) {
      tracker.input(position, { excluded: 0, invalid: 0 });
      for (let k = 0; k < 2; k++) {
        tracker.started(position);
        const rec = {};
        tracker.tag(rec, position);
        inFlight.push({ rec, position });
        pendingAt.set(position, (pendingAt.get(position) ?? 0) + 1);
      }
      // Three records stay in flight, the oldest written first; every third without a key (no checkpoint).
      while (inFlight.length > 3) {
        const done = inFlight.shift()!;
        const key = done.position % 3 ? `${done.position}` : undefined;
        if (key) keys++;
        tracker.written(done.rec, key);
        pendingAt.set(done.position, pendingAt.get(done.position)! - 1);
      }
      if (position % 97 === 0) {
        const snap = tracker.snapshot({ excluded: 0, invalid: 0 });
        let first = 0;
        while (first < position && pendingAt.get(first) === 0) first++;
        expect(snap.position).toBe(first);
      }
    }
    for (const done of inFlight.splice(0)) tracker.written(done.rec, 'last');
    tracker.end();
    expect(tracker.complete).toBe(true);
    expect(keys).toBeGreaterThan(0);
    // A record never tagged (another publisher's) changes nothing.
    tracker.written({}, 'stranger');
    expect(tracker.snapshot({ excluded: 0, invalid: 0 })).toMatchObject({ position: 3000, written: [] });
  });

  it('carries counters from a resumed checkpoint', () => {
    const t = new PositionTracker(10, { targets: 7, excluded: 3, invalid: 1 });
    t.input(12, { excluded: 2, invalid: 0 });
    t.started(12);
    const snap = t.snapshot({ excluded: 2, invalid: 0 });
    expect(snap.position).toBe(12);
    expect(snap.counters).toEqual({ targets: 7, excluded: 5, invalid: 1 });
  });

  it('keeps keys a resumed scan skipped in later checkpoints until their position is finished', () => {
    // Resumed at 10 with 11|a already written by the first run; 10 is still in flight.
    const t = new PositionTracker(10, undefined, ['11|a']);
    t.input(10, { excluded: 0, invalid: 0 });
    t.started(10);
    const rec = {};
    t.tag(rec, 10);
    t.input(11, { excluded: 0, invalid: 0 });
    t.alreadyWritten(11, '11|a');
    t.input(12, { excluded: 0, invalid: 0 });
    // A second interruption now must resume at 10 and still skip 11|a.
    expect(t.snapshot({ excluded: 0, invalid: 0 })).toMatchObject({ position: 10, written: ['11|a'] });
    t.written(rec, '10|b');
    // Once 10 and 11 are finished, neither key is needed any more.
    expect(t.snapshot({ excluded: 0, invalid: 0 })).toMatchObject({ position: 12, written: [] });
  });

  it('a resumed scan lists its inherited keys from its very first checkpoint, before it reaches them (found by the kill -9 test under load)', () => {
    // The first run wrote 11|a and 13|c past its checkpoint at 10, and 13|c twice (two records, one key).
    const t = new PositionTracker(10, undefined, ['11|a', '13|c', '13|c']);
    // The resumed run's first checkpoint is taken before any input: a kill now must not lose the keys.
    expect(t.snapshot({ excluded: 0, invalid: 0 })).toMatchObject({ position: 10, written: ['11|a', '13|c', '13|c'] });
    t.input(11, { excluded: 0, invalid: 0 });
    t.alreadyWritten(11, '11|a');
    t.input(12, { excluded: 0, invalid: 0 });
    t.started(12);
    // 11|a moved from the inherited keys to its position: listed once, not twice.
    expect(t.snapshot({ excluded: 0, invalid: 0 }).written.sort()).toEqual(['13|c', '13|c']);
    t.input(13, { excluded: 0, invalid: 0 });
    t.alreadyWritten(13, '13|c');
    expect(t.snapshot({ excluded: 0, invalid: 0 }).written.sort()).toEqual(['13|c', '13|c']);
    t.alreadyWritten(13, '13|c');
    t.end();
    expect(t.snapshot({ excluded: 0, invalid: 0 })).toMatchObject({ position: 12, written: ['13|c', '13|c'] });
  });
});
