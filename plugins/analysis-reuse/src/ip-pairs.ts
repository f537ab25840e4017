import { ipv4ToInt as ipv4ToNumber } from '@wildtls/core';

/**
 * The distinct (group, IP) pairs a certificate or key was seen with, a group
 * being one service and port; kept compact: each pair is one number (ip id ×
 * 65536 + group index, below 2^49): the first in a field of its own, more in
 * a plain array (unboxed doubles) while few and in a Set once they grow. Most
 * certificates sit on one IP: no array at all (an array with one element
 * costs some 150 bytes, V8 giving a first push room for 17; issue 18).
 */
export const MAX_GROUPS = 65536;
const SMALL = 16;

/** Distinct IPs per group (service and port), per service (any port), and overall. */
export interface IpCounts {
  byGroup: Map<number, number>;
  byService: Map<number, number>;
  all: number;
}

/** Per serviceOfGroup array, by group: the counts of one (group, IP) pair. */
const ONE = new WeakMap<readonly number[], IpCounts[]>();

function onePair(serviceOfGroup: readonly number[], group: number): IpCounts {
  let byGroup = ONE.get(serviceOfGroup);
  if (!byGroup) ONE.set(serviceOfGroup, (byGroup = []));
  return (byGroup[group] ??= { byGroup: new Map([[group, 1]]), byService: new Map([[serviceOfGroup[group]!, 1]]), all: 1 });
}

export class IpPairs {
  /** The first pair (-1: none yet); the others in `small`, or every pair in `big`. */
  private first = -1;
  private small: number[] | undefined;
  private big: Set<number> | undefined;

  add(ipId: number, group: number): void {
    const v = ipId * MAX_GROUPS + group;
    if (this.big) {
      this.big.add(v);
      return;
    }
    if (this.first < 0) {
      this.first = v;
      return;
    }
    if (v === this.first) return;
    if (!this.small) {
      this.small = [v];
      return;
    }
    if (this.small.includes(v)) return;
    this.small.push(v);
    if (this.small.length >= SMALL) {
      this.big = new Set([this.first, ...this.small]);
      this.small = undefined;
    }
  }

  /** Every pair. */
  private values(): number[] | Set<number> {
    if (this.big) return this.big;
    if (this.first < 0) return [];
    return this.small ? [this.first, ...this.small] : [this.first];
  }

  /**
   * The counts, given each group's service index. Read-only: a certificate on one IP (most of them)
   * gets the one shared result for its group, not two new Maps (at the end of a scan with millions of
   * distinct certificates those made most of the finish-time heap).
   */
  counts(serviceOfGroup: readonly number[]): IpCounts {
    if (!this.big && !this.small && this.first >= 0) return onePair(serviceOfGroup, this.first % MAX_GROUPS);
    const byGroup = new Map<number, number>();
    const values = this.values();
    for (const v of values) {
      const g = v % MAX_GROUPS;
      byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
    }
    const total = this.big ? this.big.size : (values as number[]).length;
    if (byGroup.size <= 1) {
      const byService = new Map<number, number>();
      for (const [g, n] of byGroup) byService.set(serviceOfGroup[g]!, n);
      return { byGroup, byService, all: total };
    }
    // Several groups: an IP on two ports of one service, or on two services, counts once there.
    const perService = new Map<number, Set<number>>();
    const ips = new Set<number>();
    for (const v of values) {
      const ip = Math.floor(v / MAX_GROUPS);
      const s = serviceOfGroup[v % MAX_GROUPS]!;
      let set = perService.get(s);
      if (!set) perService.set(s, (set = new Set()));
      set.add(ip);
      ips.add(ip);
    }
    return { byGroup, byService: new Map([...perService].map(([s, set]) => [s, set.size])), all: ips.size };
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
