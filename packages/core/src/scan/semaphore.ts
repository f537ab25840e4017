/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idlers: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  /** Take a slot if one is free now (nobody waits then: a released slot passes straight to a waiter). */
  tryAcquire(): boolean {
    if (this.held < this.limit) {
      this.held++;
      return true;
    }
    return false;
  }

  /** Resolves once a slot is taken (FIFO). One promise: not an async function around the wait's own promise. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.held--;
    if (this.held === 0) for (const w of this.idlers.splice(0)) w();
  }

  /** Resolves when nobody holds the semaphore. */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idlers.push(resolve));
  }
}
