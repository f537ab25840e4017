import ipaddr from 'ipaddr.js';
import { ipv4ToInt } from '../targets/ipv4.js';

/** A network as a map key: a number for IPv4 (the address's top bits), a string for IPv6 and the rest. */
type NetworkKey = number | string;

/**
 * A cap on connections in flight per network (a /24 and a /48 by default), so
 * that no single network receives many connections at once however the
 * permutation falls.
 *
 * The per-probe path is synchronous and allocates nothing when the network has
 * room: `tryAcquire(ip)` takes a slot, `release(ip)` gives it back (an IPv4
 * network's key is a number, no string per probe). Only a probe that has to
 * wait gets a promise (`wait(ip)`), and waiters are served in order per network.
 * Memory is bounded by the connections in flight: the maps hold only networks
 * with a slot taken or a waiter.
 */
export class NetworkLimiter {
  private readonly inFlight = new Map<NetworkKey, number>();
  private readonly waiting = new Map<NetworkKey, Array<() => void>>();
  /** An IPv4 address's right shift to its network (prefix 0: every address in one network, key 0). */
  private readonly shiftV4: number;

  constructor(readonly perNetwork: number, readonly prefixV4 = 24, readonly prefixV6 = 48) {
    this.shiftV4 = 32 - prefixV4;
  }

  /** The network an address belongs to, as a map key (equal keys: the same network). */
  networkOf(ip: string): NetworkKey {
    const n = ipv4ToInt(ip);
    // `>>` keeps the key a small integer (no heap number); a shift by 32 would be a shift by 0.
    if (n !== undefined) return this.shiftV4 >= 32 ? 0 : n >> this.shiftV4;
    return this.otherNetworkOf(ip);
  }

  /** Take a slot in the address's network if it has room now (no waiter can be passed: a waiter means no room). */
  tryAcquire(ip: string): boolean {
    const key = this.networkOf(ip);
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.perNetwork) return false;
    this.inFlight.set(key, n + 1);
    return true;
  }

  /** Whether the address's network has room now (nothing taken). */
  hasRoom(ip: string): boolean {
    return (this.inFlight.get(this.networkOf(ip)) ?? 0) < this.perNetwork;
  }

  /**
   * Wait for a slot in the address's network; resolves once it is held (release it with `release(ip)`).
   * Behind the network's earlier waiters, in order.
   */
  wait(ip: string): Promise<void> {
    if (this.tryAcquire(ip)) return Promise.resolve();
    const key = this.networkOf(ip);
    // The releaser hands its slot straight to the first waiter (the count stays the same).
    return new Promise<void>((resolve) => {
      const q = this.waiting.get(key);
      if (q) q.push(resolve);
      else this.waiting.set(key, [resolve]);
    });
  }

  /** Give back a slot taken by `tryAcquire` or `wait` (once per slot: the caller keeps count). */
  release(ip: string): void {
    const key = this.networkOf(ip);
    const q = this.waiting.get(key);
    if (q !== undefined) {
      const next = q.shift()!;
      if (q.length === 0) this.waiting.delete(key);
      next();
      return;
    }
    const n = this.inFlight.get(key);
    if (n === undefined) return;
    if (n <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, n - 1);
  }

  /** Wait for room in the address's network; resolves to a release function (harmless to call twice). */
  async acquire(ip: string): Promise<() => void> {
    await this.wait(ip);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(ip);
    };
  }

  /** Networks with connections in flight (memory is bounded by the concurrency). */
  get networks(): number {
    return this.inFlight.size;
  }

  /** Networks with a probe waiting for room. */
  get waitingNetworks(): number {
    return this.waiting.size;
  }

  /** An IPv6 (or IPv4-mapped, or unparsable) address's network key: its first `prefixV6` bits. */
  private otherNetworkOf(ip: string): NetworkKey {
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
}
