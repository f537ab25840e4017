import type { Redis } from 'ioredis';

/*
 * One token bucket for the whole job, in Redis, refilled from Redis's own
 * clock (TIME) so workers on machines with skewed clocks share one rate.
 * ARGV: rate (tokens/s), burst, tokens wanted. Returns {granted, waitMs}:
 * as many tokens as are there (up to the wish), or 0 and how long until one is.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local granted = math.min(want, math.floor(tokens))
if granted < 0 then granted = 0 end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], 86400000)
if granted > 0 then return {granted, 0} end
return {0, math.ceil((1 - tokens) * 1000 / rate)}
`;

/**
 * A worker's share of the global rate: it takes tokens from Redis in small
 * batches (10 ms worth of the global rate, at least one) and hands them out
 * locally, so Redis sees about 100 calls a second in all, not one per probe.
 * A batch is spent within milliseconds, so no worker hoards the rate.
 */
export class GlobalBucket {
  private tokens = 0;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private fetching = false;
  readonly batch: number;
  readonly burst: number;
  /** Calls to Redis so far (for the log). */
  calls = 0;

  constructor(private readonly redis: Redis, private readonly key: string, readonly rate: number) {
    this.batch = Math.max(1, Math.round(rate / 100));
    // The shared burst: 500 ms of the rate. Tokens that overflow it are lost, so it must outlast the
    // stalls of busy workers' event loops (measured here: 100-300 ms on a loaded 2-core machine), or the
    // long-run rate falls short; after a stall the workers catch up, a batch at a time.
    this.burst = Math.max(this.batch * 2, Math.ceil(rate / 2));
    redis.defineCommand('wildtlsTake', { numberOfKeys: 1, lua: TAKE });
  }

  take(): Promise<void> {
    if (!(this.rate > 0)) return Promise.resolve();
    if (this.tokens > 0 && this.waiters.length === 0) {
      this.tokens--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.fill();
    });
  }

  private async fill(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      while (this.waiters.length > 0) {
        while (this.tokens > 0 && this.waiters.length > 0) {
          this.tokens--;
          this.waiters.shift()!.resolve();
        }
        if (this.waiters.length === 0) break;
        this.calls++;
        const [granted, waitMs] = (await (this.redis as unknown as { wildtlsTake(key: string, ...args: number[]): Promise<[number, number]> })
          .wildtlsTake(this.key, this.rate, this.burst, this.batch)) ;
        this.tokens += granted;
        if (granted === 0) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(waitMs, 1000))));
      }
    } catch (err) {
      for (const w of this.waiters.splice(0)) w.reject(err);
    } finally {
      this.fetching = false;
    }
  }
}
