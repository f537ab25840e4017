/**
 * A token bucket: `rate` tokens per second, at most `burst` saved up. take()
 * resolves when a token is available; waiters are served in order. Tokens are
 * computed from elapsed time, so timer jitter does not change the long-run rate.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  readonly burst: number;

  /** rate 0 (or Infinity) means unlimited. */
  constructor(readonly rate: number, burst?: number, private readonly now: () => number = () => performance.now()) {
    // Default burst: 10 ms worth of tokens, so the rate holds over short windows too.
    this.burst = Math.max(1, burst ?? Math.ceil(rate / 100));
    this.tokens = this.burst;
    this.last = this.now();
  }

  get unlimited(): boolean {
    return !(this.rate > 0) || this.rate === Infinity;
  }

  /** Take a token without waiting; false when none is available. */
  tryTake(): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** Waiters still queued (for tests and shutdown). */
  get waiting(): number {
    return this.waiters.length;
  }

  private refill(): void {
    const t = this.now();
    // While probes wait, tokens a late timer would lose (a busy event loop) are
    // caught up, at most one per waiter, so the long-run rate holds under load.
    const cap = this.burst + this.waiters.length;
    this.tokens = Math.min(cap, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    this.refill();
    const need = Math.max(0, 1 - this.tokens);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      if (this.waiters.length > 0) this.schedule();
    }, Math.ceil((need * 1000) / this.rate));
  }
}
