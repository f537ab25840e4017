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
 * The scan's `admit` hook: first a slot in the target's network (so a busy
 * network does not eat tokens), then a token from the global bucket. The
 * returned function frees the network slot when the probe ends.
 */
export function createAdmission(settings: AdmissionSettings): Admit & { bucket: TokenBucket; networks: NetworkLimiter; binds(concurrency: number): boolean } {
  const bucket = new TokenBucket(settings.rate, settings.burst);
  const networks = new NetworkLimiter(settings.perNetwork, settings.prefixV4, settings.prefixV6);
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
  return Object.assign(admit, { bucket, networks, binds });
}
