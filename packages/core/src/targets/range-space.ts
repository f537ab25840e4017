import ipaddr from 'ipaddr.js';
import { WildtlsError } from '../errors.js';
import { parseCidr, v4Interval } from './address-set.js';
import { IntervalSet } from './interval-set.js';

interface V6Segment {
  base: bigint;
  count: number;
}

/**
 * The addresses of a list of ranges as one index space 0..size-1: IPv4 ranges
 * merged (an address named twice is visited once), then IPv6 ranges. Mapping
 * an index to its address is a binary search over the ranges.
 */
export class RangeSpace {
  readonly size: number;
  readonly v4: IntervalSet;
  private readonly v4Offsets: Float64Array;
  private readonly v4Size: number;
  private readonly v6: V6Segment[];
  private readonly v6Offsets: number[];

  constructor(cidrs: Iterable<string>) {
    const v4: [number, number][] = [];
    const v6 = new Map<string, V6Segment>();
    for (const text of cidrs) {
      const p = parseCidr(text);
      if (!p) throw new WildtlsError('WILDTLS_ERR_TARGET', `not an address or CIDR range: ${JSON.stringify(text)}`);
      const iv = v4Interval(p);
      if (iv) {
        v4.push(iv);
        continue;
      }
      const [net, bits] = p;
      if (bits < 88) throw new WildtlsError('WILDTLS_ERR_TARGET', `IPv6 range ${text} is too large to enumerate; give /88 or longer prefixes`);
      const bytes = ipaddr.IPv6.networkAddressFromCIDR(`${net.toString()}/${bits}`).toByteArray();
      const base = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
      v6.set(`${base}/${bits}`, { base, count: 2 ** (128 - bits) });
    }
    this.v4 = new IntervalSet(v4);
    const offsets: number[] = [];
    let total = 0;
    for (const [lo, hi] of this.v4.intervals()) {
      offsets.push(total);
      total += hi - lo + 1;
    }
    this.v4Offsets = Float64Array.from(offsets);
    this.v4Size = total;
    // Drop IPv6 ranges contained in another one.
    const segs = [...v6.values()].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : b.count - a.count));
    this.v6 = [];
    for (const s of segs) {
      const last = this.v6[this.v6.length - 1];
      if (last && s.base < last.base + BigInt(last.count)) continue;
      this.v6.push(s);
    }
    this.v6Offsets = [];
    for (const s of this.v6) {
      this.v6Offsets.push(total);
      total += s.count;
    }
    this.size = total;
  }

  /** True when the index is an IPv4 address (then `v4At` gives it as a number). */
  isV4(index: number): boolean {
    return index < this.v4Size;
  }

  v4At(index: number): number {
    const off = this.v4Offsets;
    if (off.length === 1) return this.v4.lo[0]! + index;
    let a = 0;
    let b = off.length - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (off[m]! <= index) a = m;
      else b = m - 1;
    }
    return this.v4.lo[a]! + (index - off[a]!);
  }

  v6At(index: number): string {
    let i = this.v6Offsets.length - 1;
    while (i > 0 && this.v6Offsets[i]! > index) i--;
    const s = this.v6[i]!;
    let v = s.base + BigInt(index - this.v6Offsets[i]!);
    const bytes = new Array<number>(16);
    for (let k = 15; k >= 0; k--) {
      bytes[k] = Number(v & 255n);
      v >>= 8n;
    }
    return ipaddr.fromByteArray(bytes).toString();
  }
}
