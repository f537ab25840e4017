/**
 * A set of IPv4 addresses as sorted, disjoint, inclusive [lo, hi] intervals
 * with a binary-search membership test: cheap enough to run per address in a
 * full IPv4 sweep.
 */
export class IntervalSet {
  readonly lo: Float64Array;
  readonly hi: Float64Array;

  constructor(intervals: Iterable<[number, number]>) {
    const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [l, h] of sorted) {
      const last = merged[merged.length - 1];
      if (last && l <= last[1] + 1) last[1] = Math.max(last[1], h);
      else merged.push([l, h]);
    }
    this.lo = Float64Array.from(merged, (m) => m[0]);
    this.hi = Float64Array.from(merged, (m) => m[1]);
  }

  get count(): number {
    return this.lo.length;
  }

  /** Number of addresses in the set. */
  get size(): number {
    let s = 0;
    for (let i = 0; i < this.lo.length; i++) s += this.hi[i]! - this.lo[i]! + 1;
    return s;
  }

  has(n: number): boolean {
    const lo = this.lo;
    let a = 0;
    let b = lo.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (lo[m]! <= n) a = m + 1;
      else b = m - 1;
    }
    return b >= 0 && n <= this.hi[b]!;
  }

  *intervals(): Generator<[number, number]> {
    for (let i = 0; i < this.lo.length; i++) yield [this.lo[i]!, this.hi[i]!];
  }
}
