import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('is Date#toISOString for times in order, out of order, fractional, across minutes, hours, days and years', () => {
    const times: number[] = [];
    // In order a few ms apart across a minute's and an hour's and a year's end, with micro- and nanosecond fractions.
    for (const from of [1_796_622_420_000, Date.UTC(2026, 11, 31, 23, 59, 58), Date.UTC(2024, 1, 28, 23, 59, 59)]) {
      for (let i = 0; i < 3000; i++) times.push(from + i * 1.2345678);
    }
    // Then jumping back and forth (another capture, a clock step), 0, the last ms of a minute, the extremes of Date.
    times.push(1_796_622_420_000, 0, 59_999, 60_000, 1e12 + 59_999.9999, 1e12 + 60_000, 8.64e15, 8.64e15 - 0.5, 1_796_622_420_000.999, 5, 1.5);
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      times.push(1_796_000_000_000 + (seed % 5_000_000) + (seed % 1000) / 1000);
    }
    for (const ms of times) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws as Date does for a time it cannot hold', () => {
    expect(isoTime(8.64e15)).toBe('+275760-09-13T00:00:00.000Z'); // the last ms Date holds: its minute is the one remembered
    // Each asked twice: the last time's text is kept, a time that threw is not.
    for (const ms of [8.64e15 + 1, 8.64e15 + 1, NaN, NaN, Infinity]) expect(() => isoTime(ms)).toThrow(RangeError);
    // Before 1970: as Date gives it.
    for (const ms of [-1, -0.5, -60_001.5]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
