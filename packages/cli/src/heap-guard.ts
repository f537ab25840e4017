import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { MEMORY_ERROR_FIXES, WildtlsError } from '@wildtls/core';

/**
 * Live heap at this share of the old generation's limit, right after a full collection, stops the
 * analysis. It must not be above V8's own line: V8 aborts ("Ineffective mark-compacts near heap
 * limit") after four full collections in a row that each leave the old generation at 80% of its
 * limit or more while the program gets under 40% of the time (Heap::CheckIneffectiveMarkCompact).
 * A heap that grows in small steps gets exactly that: V8 collects more and more often as it nears
 * the limit (each collection sets the next one at most halfway to it), so with a line at 90%, four
 * collections could land between 80% and 90% and V8 aborted before the guard ever saw one past its
 * line (heap-guard.test.ts's "finish()" case: SIGABRT in 18 of 165 runs, idle or under CPU load). At 80%, the first collection V8 counts trips the
 * guard, and V8 needs three more before it gives up: the error comes first, unless the analysis
 * allocates all of that without letting the event loop turn. used_heap_size (every space, young
 * included) is never below V8's old-generation size, so the guard judges no later than V8.
 */
const DEFAULT_SHARE = 0.8;

/**
 * The young generation's reserve in heap_size_limit, which old data can never use: three semi-spaces
 * (the limit is --max-old-space-size plus this). A semi-space is 16 MiB, V8's default on 64-bit, or
 * what --max-semi-space-size asks (on node's command line, else in NODE_OPTIONS), rounded up to a
 * power of two as V8 does. Read from the flag, because a reserve counted too small would put the
 * guard's line past V8's; where V8 itself picks smaller semi-spaces (a machine with little memory and
 * no flag), the guard only stops a little early.
 */
function youngReserve(): number {
  let mib = 16;
  for (const flag of [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]) {
    const asked = Number(/^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(flag)?.[1] ?? 0);
    if (asked > 0) mib = 2 ** Math.ceil(Math.log2(asked));
  }
  return 3 * mib * 2 ** 20;
}

/** The old generation's limit (what --max-old-space-size sets, about 4 GiB by default here). */
function oldGenerationLimit(reserve: number): number {
  return getHeapStatistics().heap_size_limit - reserve;
}

/**
 * Instead of V8's "FATAL ERROR: ... JavaScript heap out of memory" (an abort,
 * no report, after maybe an hour of work), a clear error that says what to
 * do. The heap is judged only right after a major (mark-compact) collection,
 * when what it holds is live data, not garbage V8 has not collected yet:
 * used_heap_size in between says nothing (V8 collects lazily, and lets the
 * heap fill with garbage up to its limit). The analysis loop calls check()
 * every few thousand records; the analyses' finish() runs under watch()
 * (the error rejects it at the first turn of the event loop after the
 * collection). Observing GC costs nothing between collections.
 *
 * What it cannot do: act inside a synchronous stretch of JavaScript (the
 * observer's callback runs only when the event loop turns), so a heap that
 * fills within one such stretch still ends in V8's abort. The validator's
 * worker threads have heaps of their own: one that runs out ends with the
 * same error code (worker-pool.ts), not through this guard.
 */
export class HeapGuard {
  private tripped: { usedMiB: number; limitMiB: number } | undefined;
  private readonly observer: PerformanceObserver;
  /** Rejects watch()'s promise once tripped (set while one is being watched). */
  private onTrip: (() => void) | undefined;
  private records = 0;
  private readonly youngReserve = youngReserve();

  constructor(private readonly share = DEFAULT_SHARE) {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
        const used = getHeapStatistics().used_heap_size;
        const limit = oldGenerationLimit(this.youngReserve);
        if (used >= this.share * limit) this.tripped ??= { usedMiB: Math.round(used / 2 ** 20), limitMiB: Math.round(limit / 2 ** 20) };
      }
      if (this.tripped) this.onTrip?.();
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Throws once a full collection has left the heap nearly full. */
  check(records: number): void {
    this.records = records;
    if (this.tripped) throw this.error(`after ${records} records`);
  }

  /**
   * `work` (an analysis's finish()), rejected with the memory error as soon as a full collection
   * leaves the heap nearly full while it runs. The work itself goes on until the process exits.
   */
  async watch<T>(work: Promise<T>): Promise<T> {
    if (this.tripped) throw this.error(`while counting ${this.records} records`);
    const tripped = new Promise<never>((_, reject) => {
      this.onTrip = () => reject(this.error(`while counting ${this.records} records`));
    });
    try {
      return await Promise.race([work, tripped]);
    } finally {
      this.onTrip = undefined;
    }
  }

  private error(when: string): WildtlsError {
    const { usedMiB, limitMiB } = this.tripped!;
    return new WildtlsError(
      'WILDTLS_ERR_MEMORY',
      `the analyses' JavaScript heap is nearly full (${usedMiB} MiB live after a full garbage collection, of Node's ${limitMiB} MiB limit) ${when}: ${MEMORY_ERROR_FIXES}`,
    );
  }

  stop(): void {
    this.observer.disconnect();
  }
}
