import { NetworkLimiter } from './network-limiter.js';
import { TokenBucket } from './token-bucket.js';

export interface AdmissionSettings {
  /** New connections per second over the whole scan (0 = unlimited). */
  rate: number;
  /** Burst of the token bucket (default: 10 ms worth of tokens). */
  burst?: number;
  /** Connections in flight per network. */
  perNetwork: number;
  prefixV4: number;
  prefixV6: number;
}

export type Admit = (ip: string) => Promise<() => void>;

/**
 * Admission without a promise or a closure per probe when there is room: a probe admitted by
 * `tryAdmit(ip)` (true) or, when that says no, once `wait(ip)` resolves, gives its place back with
 * `release(ip)`, exactly once. `tryAdmit` false holds nothing.
 */
export interface KeyedAdmit {
  tryAdmit(ip: string): boolean;
  wait(ip: string): Promise<void>;
  release(ip: string): void;
}

/**
 * The scan's `admit` hook: first a slot in the target's network (so a busy
 * network does not eat tokens), then a token from the global bucket. The
 * returned function frees the network slot when the probe ends. The same admission keyed by
 * address (`tryAdmit`, `wait`, `release`) is what the scan loop uses.
 */
export function createAdmission(settings: AdmissionSettings): Admit & KeyedAdmit & { bucket: TokenBucket; networks: NetworkLimiter; binds(concurrency: number): boolean } {
  const bucket = new TokenBucket(settings.rate, settings.burst);
  const networks = new NetworkLimiter(settings.perNetwork, settings.prefixV4, settings.prefixV6);
  // The network's room is checked before a token is taken: a busy network does not eat tokens.
  const tryAdmit = bucket.unlimited
    ? (ip: string) => networks.tryAcquire(ip)
    : (ip: string) => networks.hasRoom(ip) && bucket.tryTake() && networks.tryAcquire(ip);
  const wait = bucket.unlimited
    ? (ip: string) => networks.wait(ip)
    : async (ip: string) => {
        await networks.wait(ip);
        await bucket.take();
      };
  const release = (ip: string) => networks.release(ip);
  // Unlimited: no token to wait for, so no promise of the bucket's per probe.
  const admit = bucket.unlimited
    ? (ip: string) => networks.acquire(ip)
    : async (ip: string) => {
        const release = await networks.acquire(ip);
        await bucket.take();
        return release;
      };
  /**
   * Whether admission can ever hold a probe back when at most `concurrency` run at once: not when
   * the rate is unlimited and a network may have as many in flight as the whole scan (a probe's
   * network slot is taken after its concurrency slot and given back before it).
   */
  const binds = (concurrency: number) => !bucket.unlimited || settings.perNetwork < concurrency;
  return Object.assign(admit, { bucket, networks, binds, tryAdmit, wait, release });
}
