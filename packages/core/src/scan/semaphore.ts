/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  async acquire(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held--;
  }

  /** Resolves when nobody holds the semaphore. */
  async idle(): Promise<void> {
    while (this.held > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
