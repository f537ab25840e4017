import { ipv4ToInt as ipv4ToNumber } from '@wildtls/core';

/**
 * The distinct (service, IP) pairs a certificate or key was seen with, kept
 * compact: each pair is one number (ip id × 4096 + service index), held in a
 * plain array (unboxed doubles) while small and in a Set once it grows. Most
 * certificates sit on one or a few IPs, so most of these stay tiny arrays.
 */
export const MAX_SERVICES = 4096;
const SMALL = 16;

export class IpPairs {
  private small: number[] = [];
  private big: Set<number> | undefined;

  add(ipId: number, service: number): void {
    const v = ipId * MAX_SERVICES + service;
    if (this.big) {
      this.big.add(v);
      return;
    }
    if (this.small.includes(v)) return;
    this.small.push(v);
    if (this.small.length > SMALL) {
      this.big = new Set(this.small);
      this.small = [];
    }
  }

  /** Distinct IPs per service index, and distinct IPs over all services. */
  counts(): { byService: Map<number, number>; all: number } {
    const byService = new Map<number, number>();
    const values = this.big ?? this.small;
    for (const v of values) {
      const s = v % MAX_SERVICES;
      byService.set(s, (byService.get(s) ?? 0) + 1);
    }
    if (byService.size <= 1) return { byService, all: this.big ? this.big.size : this.small.length };
    const ips = new Set<number>();
    for (const v of values) ips.add(Math.floor(v / MAX_SERVICES));
    return { byService, all: ips.size };
  }
}

/**
 * IP ids: an IPv4 address is its 32-bit value; any other address gets an id
 * above 2^32, interned.
 */
export class IpIds {
  private readonly other = new Map<string, number>();

  id(ip: string): number {
    const v4 = ipv4ToNumber(ip);
    if (v4 !== undefined) return v4;
    let id = this.other.get(ip);
    if (id === undefined) this.other.set(ip, (id = 2 ** 32 + this.other.size));
    return id;
  }
}
