/**
 * The result bus: typed, asynchronous, with backpressure. Every subscriber has
 * its own bounded queue; `publish` waits until every queue has room, so a slow
 * consumer slows admission of new targets. Nothing is dropped, and memory is
 * bounded by the sum of the queues' high-water marks.
 */
export type BusHandler<T> = (item: T) => void | Promise<void>;

export interface SubscribeOptions {
  /** Items a subscriber may have queued before publishers wait (default: the bus's). */
  highWaterMark?: number;
}

interface Subscriber<T> {
  name: string;
  handler: BusHandler<T>;
  queue: T[];
  highWaterMark: number;
  running: boolean;
  /** Publishers waiting for room in this queue, the oldest at roomHead (taken by index: see nextWaiter). */
  roomWaiters: Array<(() => void) | undefined>;
  roomHead: number;
  idleWaiters: Array<() => void>;
  delivered: number;
}

export interface BusStats {
  published: number;
  subscribers: Array<{ name: string; queued: number; delivered: number }>;
}

export class ResultBus<T> {
  private readonly subs: Subscriber<T>[] = [];
  private published = 0;
  private closed = false;
  private failure: { name: string; error: unknown } | undefined;

  constructor(private readonly defaultHighWaterMark = 256) {}

  subscribe(name: string, handler: BusHandler<T>, options: SubscribeOptions = {}): void {
    if (this.closed) throw new Error('result bus: cannot subscribe after close');
    this.subs.push({
      name,
      handler,
      queue: [],
      highWaterMark: Math.max(1, options.highWaterMark ?? this.defaultHighWaterMark),
      running: false,
      roomWaiters: [],
      roomHead: 0,
      idleWaiters: [],
      delivered: 0,
    });
  }

  /** Deliver to every subscriber; resolves once every queue has accepted the item. */
  async publish(item: T): Promise<void> {
    if (this.closed) throw new Error('result bus: publish after close');
    this.throwIfFailed();
    for (const s of this.subs) {
      while (s.queue.length >= s.highWaterMark) {
        await new Promise<void>((resolve) => s.roomWaiters.push(resolve));
        this.throwIfFailed();
      }
      s.queue.push(item);
      if (!s.running) this.drain(s);
    }
    this.published++;
  }

  /**
   * Deliver at once when every queue has room and no publisher is waiting for any: true, and the item
   * is queued (handled, for a subscriber that returns no promise) before this returns. False: nothing
   * was done; `publish()` it. No promise either way. A publisher that offers its next item only after
   * its previous one was accepted keeps its order, as with `publish()`.
   */
  offer(item: T): boolean {
    if (this.closed) throw new Error('result bus: publish after close');
    this.throwIfFailed();
    const subs = this.subs;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      if (s.queue.length >= s.highWaterMark || s.roomHead < s.roomWaiters.length) return false;
    }
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]!;
      s.queue.push(item);
      if (!s.running) this.drain(s);
    }
    this.published++;
    return true;
  }

  /** Wait until every subscriber has handled every item, then refuse new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.subs.map((s) => (s.queue.length === 0 && !s.running ? undefined : new Promise<void>((r) => s.idleWaiters.push(r)))),
    );
    this.throwIfFailed();
  }

  stats(): BusStats {
    return {
      published: this.published,
      subscribers: this.subs.map((s) => ({ name: s.name, queued: s.queue.length, delivered: s.delivered })),
    };
  }

  private throwIfFailed(): void {
    if (this.failure) {
      const e = this.failure.error;
      throw new Error(`result bus: subscriber "${this.failure.name}" failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * Hand the subscriber its queued items in order. A handler that returns no promise has handled its
   * item: the next one is handled at once, in this call (no promise, no microtask); one that returns a
   * promise is waited for, and the rest continue after it (`resume`).
   */
  private drain(s: Subscriber<T>): void {
    s.running = true;
    while (s.queue.length > 0) {
      const item = s.queue.shift() as T;
      let handled: Promise<void> | undefined;
      try {
        if (!this.failure) handled = s.handler(item) as Promise<void> | undefined;
      } catch (error) {
        this.failure ??= { name: s.name, error };
      }
      if (handled) {
        void this.resume(s, handled);
        return;
      }
      s.delivered++;
      nextWaiter(s)?.();
    }
    s.running = false;
    // Wake any publisher still waiting (after a failure the queue drains without handling).
    for (let w = nextWaiter(s); w !== undefined; w = nextWaiter(s)) w();
    for (const w of s.idleWaiters.splice(0)) w();
  }

  /** A handler's promise settled: its item is delivered, and the queue drains on. */
  private async resume(s: Subscriber<T>, handled: Promise<void>): Promise<void> {
    try {
      await handled;
    } catch (error) {
      this.failure ??= { name: s.name, error };
    }
    s.delivered++;
    nextWaiter(s)?.();
    this.drain(s);
  }
}

/**
 * The oldest publisher waiting for room, taken. By index, not Array#shift: a burst of publishes (a
 * capture's end, a sink that stalls) can leave thousands waiting, and shift copies a long array each
 * time (quadratic). The taken front is cut off once it is most of the array.
 */
function nextWaiter<T>(s: Subscriber<T>): (() => void) | undefined {
  const list = s.roomWaiters;
  if (s.roomHead >= list.length) return undefined;
  const w = list[s.roomHead];
  list[s.roomHead++] = undefined;
  if (s.roomHead === list.length) {
    list.length = 0;
    s.roomHead = 0;
  } else if (s.roomHead >= 1024 && s.roomHead * 2 >= list.length) {
    list.splice(0, s.roomHead);
    s.roomHead = 0;
  }
  return w;
}
