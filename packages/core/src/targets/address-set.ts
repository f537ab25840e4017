import ipaddr from 'ipaddr.js';
import { ipv4Bounds, ipv4ToInt } from './ipv4.js';
import { IntervalSet } from './interval-set.js';

type Parsed = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parse "a.b.c.d", "a.b.c.d/n", "v6" or "v6/n"; undefined when it is not an address. */
export function parseCidr(text: string): Parsed | undefined {
  const t = text.trim();
  try {
    if (t.includes('/')) return ipaddr.parseCIDR(t);
    const a = ipaddr.parse(t);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

/** The [lo, hi] numeric bounds of an IPv4 range (also for IPv4-mapped IPv6 ranges /96 and longer). */
export function v4Interval([net, bits]: Parsed): [number, number] | undefined {
  if (net.kind() === 'ipv4') {
    const b = (net as ipaddr.IPv4).toByteArray();
    return ipv4Bounds(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, bits);
  }
  const v6 = net as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress() && bits >= 96) {
    const b = v6.toIPv4Address().toByteArray();
    return ipv4Bounds(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, bits - 96);
  }
  return undefined;
}

/**
 * A set of CIDR ranges with a membership test (IPv4-mapped IPv6 counts as
 * IPv4). IPv4 membership is a binary search over merged intervals.
 */
export class AddressSet {
  private readonly v6: Parsed[] = [];
  private readonly v4raw: [number, number][] = [];
  private v4: IntervalSet | undefined;

  constructor(cidrs: Iterable<string> = []) {
    for (const c of cidrs) this.add(c);
  }

  /** Add a range; returns false when the text is not an address or CIDR range. */
  add(cidr: string): boolean {
    const p = parseCidr(cidr);
    if (!p) return false;
    const iv = v4Interval(p);
    if (iv && p[0].kind() === 'ipv4') {
      this.v4raw.push(iv);
      this.v4 = undefined;
    } else {
      this.v6.push(p);
    }
    return true;
  }

  get size(): number {
    return this.v4raw.length + this.v6.length;
  }

  /** The IPv4 part as merged intervals. */
  ipv4(): IntervalSet {
    this.v4 ??= new IntervalSet(this.v4raw);
    return this.v4;
  }

  hasV4(n: number): boolean {
    return this.ipv4().has(n);
  }

  has(address: string): boolean {
    const n = ipv4ToInt(address);
    if (n !== undefined) return this.hasV4(n);
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      a = ipaddr.process(address);
    } catch {
      return false;
    }
    if (a.kind() === 'ipv4') {
      const b = a.toByteArray();
      return this.hasV4(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
    }
    for (const [net, bits] of this.v6) {
      if (net.kind() === 'ipv6' && a.match([net, bits] as never)) return true;
    }
    return false;
  }
}
