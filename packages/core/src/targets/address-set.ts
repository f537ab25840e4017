import ipaddr from 'ipaddr.js';

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

/** A set of CIDR ranges with a membership test (IPv4-mapped IPv6 counts as IPv4). */
export class AddressSet {
  private readonly ranges: Parsed[] = [];

  constructor(cidrs: Iterable<string> = []) {
    for (const c of cidrs) this.add(c);
  }

  /** Add a range; returns false when the text is not an address or CIDR range. */
  add(cidr: string): boolean {
    const p = parseCidr(cidr);
    if (!p) return false;
    this.ranges.push(p);
    return true;
  }

  get size(): number {
    return this.ranges.length;
  }

  has(address: string): boolean {
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      a = ipaddr.process(address);
    } catch {
      return false;
    }
    for (const [net, bits] of this.ranges) {
      if (net.kind() === a.kind() && a.match([net, bits] as never)) return true;
    }
    return false;
  }
}
