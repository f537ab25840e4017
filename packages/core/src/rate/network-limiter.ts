import ipaddr from 'ipaddr.js';
import { ipv4ToInt } from '../targets/ipv4.js';

/**
 * A cap on connections in flight per network (a /24 and a /48 by default), so
 * that no single network receives many connections at once however the
 * permutation falls.
 */
export class NetworkLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(readonly perNetwork: number, readonly prefixV4 = 24, readonly prefixV6 = 48) {}

  /** The network an address belongs to, as a map key. */
  networkOf(ip: string): string {
    const n = ipv4ToInt(ip);
    if (n !== undefined) return this.prefixV4 === 0 ? '4/' : `4/${Math.floor(n / 2 ** (32 - this.prefixV4))}`;
    try {
      const a = ipaddr.process(ip);
      if (a.kind() === 'ipv4') return this.networkOf(a.toString());
      const bytes = a.toByteArray();
      let key = '6/';
      for (let bit = 0; bit < this.prefixV6; bit += 8) {
        const keep = Math.min(8, this.prefixV6 - bit);
        key += ((bytes[bit / 8]! >> (8 - keep)) << (8 - keep)).toString(16) + '.';
      }
      return key;
    } catch {
      return `?/${ip}`;
    }
  }

  /** Wait for room in the address's network; resolves to the release function. */
  async acquire(ip: string): Promise<() => void> {
    const key = this.networkOf(ip);
    const n = this.inFlight.get(key) ?? 0;
    if (n < this.perNetwork) {
      this.inFlight.set(key, n + 1);
    } else {
      // The releaser hands its slot straight to us (the count stays the same).
      await new Promise<void>((resolve) => {
        const q = this.waiting.get(key);
        if (q) q.push(resolve);
        else this.waiting.set(key, [resolve]);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  /** Networks with connections in flight (memory is bounded by the concurrency). */
  get networks(): number {
    return this.inFlight.size;
  }

  private release(key: string): void {
    const q = this.waiting.get(key);
    const next = q?.shift();
    if (q && q.length === 0) this.waiting.delete(key);
    if (next) {
      next();
      return;
    }
    const n = (this.inFlight.get(key) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, n);
  }
}
