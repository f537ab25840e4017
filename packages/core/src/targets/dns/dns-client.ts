import { Resolver } from 'node:dns/promises';
import type { Logger } from 'pino';
import { TokenBucket } from '../../rate/token-bucket.js';
import { Semaphore } from '../../scan/semaphore.js';

export interface DnsSettings {
  /** Resolver addresses ("1.2.3.4", "1.2.3.4:5353", "[::1]:53"); empty = the system's (/etc/resolv.conf). */
  servers: string[];
  /** Queries per second (0 = unlimited). */
  rate: number;
  /** Queries in flight at once. */
  concurrency: number;
  /** Per-query timeout (ms) and attempts, as node:dns Resolver takes them. */
  timeoutMs: number;
  tries: number;
  /** Answers (and failures) kept in the cache; least recently used first out. */
  cacheSize: number;
  /** Upper bound on how long an answer is cached (ms); A/AAAA use min(TTL, this). */
  maxTtlMs: number;
  /** Also resolve AAAA. */
  ipv6: boolean;
}

export const DEFAULT_DNS: DnsSettings = {
  servers: [],
  rate: 200,
  concurrency: 50,
  timeoutMs: 3000,
  tries: 2,
  cacheSize: 100_000,
  maxTtlMs: 3_600_000,
  ipv6: true,
};

export interface MxHost {
  exchange: string;
  priority: number;
}

interface Entry<T> {
  expires: number;
  value: Promise<T>;
}

/** DNS answers a domain carries no data for; anything else is a failure. */
const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

/**
 * Cached, rate-limited DNS for target sources (A, AAAA, MX). Concurrent
 * lookups of one name share a query; negative answers are cached too.
 */
export class DnsClient {
  private readonly resolver: Resolver;
  private readonly bucket: TokenBucket;
  private readonly slots: Semaphore;
  private readonly cache = new Map<string, Entry<unknown>>();
  queries = 0;
  cacheHits = 0;

  constructor(readonly settings: DnsSettings, private readonly logger?: Logger) {
    this.resolver = new Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
    if (settings.servers.length) this.resolver.setServers(settings.servers);
    this.bucket = new TokenBucket(settings.rate);
    this.slots = new Semaphore(Math.max(1, settings.concurrency));
  }

  /** A (and AAAA) addresses of a name; [] when it has none. Throws on resolver failure. */
  async addresses(name: string): Promise<string[]> {
    const ttlOf = (r: Array<{ ttl: number }>) => (r.length ? Math.min(...r.map((x) => x.ttl)) * 1000 : undefined);
    const v4 = this.cached(`A ${name}`, () => this.query(() => this.resolver.resolve4(name, { ttl: true })), ttlOf);
    const v6 = this.settings.ipv6 ? this.cached(`AAAA ${name}`, () => this.query(() => this.resolver.resolve6(name, { ttl: true })), ttlOf) : Promise.resolve([]);
    const [a, aaaa] = await Promise.all([v4, v6]);
    return [...a, ...aaaa].map((r) => r.address);
  }

  /** MX hosts in preference order (lowest preference value first, then name). */
  async mx(name: string): Promise<MxHost[]> {
    const list = await this.cached(`MX ${name}`, () => this.query(() => this.resolver.resolveMx(name)));
    return [...list]
      .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
      .map((m) => ({ exchange: m.exchange.replace(/\.$/, '').toLowerCase(), priority: m.priority }));
  }

  private async cached<T>(key: string, load: () => Promise<T>, ttlMs?: (value: T) => number | undefined): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) {
      this.cacheHits++;
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.value as Promise<T>;
    }
    const entry: Entry<T> = { expires: Date.now() + this.settings.maxTtlMs, value: load() };
    this.cache.set(key, entry);
    if (this.cache.size > this.settings.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    try {
      const value = await entry.value;
      const ttl = ttlMs?.(value);
      if (ttl !== undefined) entry.expires = Date.now() + Math.min(ttl, this.settings.maxTtlMs);
    } catch {
      // Do not keep failures (timeouts, SERVFAIL): a later lookup may succeed.
      if (this.cache.get(key) === entry) this.cache.delete(key);
    }
    return entry.value;
  }

  /** One query under the rate limit and the concurrency cap; "no such data" is an empty answer. */
  private async query<T>(run: () => Promise<T[]>): Promise<T[]> {
    await this.slots.acquire();
    try {
      await this.bucket.take();
      this.queries++;
      return await run();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_DATA.has(code)) return [];
      this.logger?.debug({ err: (err as Error).message, code }, 'dns query failed');
      throw err;
    } finally {
      this.slots.release();
    }
  }
}
