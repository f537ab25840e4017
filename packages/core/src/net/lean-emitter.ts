// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as EventEmitter types it, so a listener taking (d: Buffer) fits
type Listener = (...args: any[]) => void;
type Slot = Listener | readonly Listener[] | undefined;
type OnceWrapper = Listener & { listener?: Listener };

/**
 * A core consumer of a stream's four events as methods of one object (the TLS engine's handshake, a
 * TlsStream over its socket): set as the emitter's `sink`, it is called before the listeners of
 * each event, and counts as one listener of each (listenerCount, and an 'error' with a sink does not
 * throw). One object per consumer instead of a listener closure per event, each added and removed
 * per probe. One sink at a time: a consumer takes the slot only while it is free (takeSink).
 */
export interface StreamSink {
  onStreamData(chunk: Buffer): void;
  onStreamEnd(): void;
  onStreamClose(): void;
  onStreamError(err: Error): void;
}

/**
 * The event methods a probe's streams need (TcpClient, TlsStream), without node's EventEmitter: a
 * probe adds and removes a dozen listeners on them and emits a few events, and EventEmitter's
 * layers (on -> addListener -> _addListener, removeListener and spliceOne, emit's clone of a list)
 * are each one more node function to run interpreted and compile while a scan warms up. The
 * stream events ('data', 'end', 'close', 'error') have a slot each: one listener is held as it is,
 * two or more as an array replaced on every change (never changed in place), so emit() walks the
 * list it read without a copy, as EventEmitter's does. Other events live in a Map.
 *
 * Semantics as EventEmitter's for what it has: listeners run in the order added, synchronously, with
 * `this` the emitter; one removed during an emit still runs in that emit; off() removes the last
 * added match (a once() listener matches by the function given to once()); emit('error') with no
 * listener throws the error. No newListener/removeListener events, no max-listeners warning.
 */
export class LeanEmitter {
  // Fields declared and set in the constructor, not initialized in the class body: a class body
  // with field initializers gets its own <instance_members_initializer> function, which a class
  // made per probe makes hot and TurboFan compiles on its own (as Connection's, s34-smtp).
  private declare lsData: Slot;
  private declare lsEnd: Slot;
  private declare lsClose: Slot;
  private declare lsError: Slot;
  private declare lsOther: Map<string | symbol, Slot> | undefined;
  /** The core consumer of the stream events, if one is attached (StreamSink). */
  private declare sink: StreamSink | undefined;

  constructor() {
    this.lsData = undefined;
    this.lsEnd = undefined;
    this.lsClose = undefined;
    this.lsError = undefined;
    this.lsOther = undefined;
    this.sink = undefined;
  }

  /** Attach `sink` if the slot is free; false when another sink holds it (then listen with on()). */
  takeSink(sink: StreamSink): boolean {
    if (this.sink !== undefined) return this.sink === sink;
    this.sink = sink;
    return true;
  }

  /** Detach `sink` (nothing if another holds the slot). */
  releaseSink(sink: StreamSink): void {
    if (this.sink === sink) this.sink = undefined;
  }

  private slot(event: string | symbol): Slot {
    switch (event) {
      case 'data':
        return this.lsData;
      case 'end':
        return this.lsEnd;
      case 'close':
        return this.lsClose;
      case 'error':
        return this.lsError;
      default:
        return this.lsOther?.get(event);
    }
  }

  private setSlot(event: string | symbol, s: Slot): void {
    switch (event) {
      case 'data':
        this.lsData = s;
        return;
      case 'end':
        this.lsEnd = s;
        return;
      case 'close':
        this.lsClose = s;
        return;
      case 'error':
        this.lsError = s;
        return;
      default:
        if (s === undefined) this.lsOther?.delete(event);
        else (this.lsOther ??= new Map()).set(event, s);
    }
  }

  on(event: string | symbol, listener: Listener): this {
    const s = this.slot(event);
    this.setSlot(event, s === undefined ? listener : typeof s === 'function' ? [s, listener] : [...s, listener]);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  once(event: string | symbol, listener: Listener): this {
    const wrapper: OnceWrapper = function (this: LeanEmitter, ...args: unknown[]) {
      this.off(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return this.on(event, wrapper);
  }

  off(event: string | symbol, listener: Listener): this {
    const s = this.slot(event);
    if (s === undefined) return this;
    if (typeof s === 'function') {
      if (s === listener || (s as OnceWrapper).listener === listener) this.setSlot(event, undefined);
      return this;
    }
    for (let i = s.length - 1; i >= 0; i--) {
      const l = s[i]!;
      if (l !== listener && (l as OnceWrapper).listener !== listener) continue;
      if (s.length === 2) this.setSlot(event, s[1 - i]);
      else this.setSlot(event, s.filter((_, j) => j !== i));
      break;
    }
    return this;
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener);
  }

  /** Removes listeners only: a StreamSink stays until its owner releases it. */
  removeAllListeners(event?: string | symbol): this {
    if (event !== undefined) {
      this.setSlot(event, undefined);
      return this;
    }
    this.lsData = this.lsEnd = this.lsClose = this.lsError = undefined;
    this.lsOther = undefined;
    return this;
  }

  /** emit('data', chunk) for the core's streams, without emit()'s argument list and event switch (a read's hot path). */
  protected emitData(chunk: Buffer): void {
    const k = this.sink;
    if (k !== undefined) k.onStreamData(chunk);
    const s = this.lsData;
    if (s === undefined) return;
    if (typeof s === 'function') s.call(this, chunk);
    else for (let i = 0; i < s.length; i++) s[i]!.call(this, chunk);
  }

  /** listenerCount('data') > 0, the sink included. */
  protected hasDataReader(): boolean {
    return this.sink !== undefined || this.lsData !== undefined;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const s = this.slot(event);
    const k = this.sink;
    if (k !== undefined && toSink(k, event, args[0])) {
      if (s === undefined) return true;
    } else if (s === undefined) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(`unhandled 'error' event (${String(args[0])})`);
      return false;
    }
    if (typeof s === 'function') s.apply(this, args);
    else for (let i = 0; i < s.length; i++) s[i]!.apply(this, args);
    return true;
  }

  listenerCount(event: string | symbol): number {
    const s = this.slot(event);
    const n = s === undefined ? 0 : typeof s === 'function' ? 1 : s.length;
    return this.sink !== undefined && isStreamEvent(event) ? n + 1 : n;
  }

  /** The listeners of `event`, in order (once() listeners as given to once()). */
  listeners(event: string | symbol): Listener[] {
    const s = this.slot(event);
    const all = s === undefined ? [] : typeof s === 'function' ? [s] : [...s];
    return all.map((l) => (l as OnceWrapper).listener ?? l);
  }
}

function isStreamEvent(event: string | symbol): boolean {
  return event === 'data' || event === 'end' || event === 'close' || event === 'error';
}

/** Deliver a stream event to the sink; false for other events. */
function toSink(k: StreamSink, event: string | symbol, arg: unknown): boolean {
  switch (event) {
    case 'data':
      k.onStreamData(arg as Buffer);
      return true;
    case 'end':
      k.onStreamEnd();
      return true;
    case 'close':
      k.onStreamClose();
      return true;
    case 'error':
      k.onStreamError(arg as Error);
      return true;
    default:
      return false;
  }
}
