import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ProbeJob } from '../../probe/run-probe.js';
import type { ProbeRecord } from '../../record/record-schema.js';
import type { ProbePool } from './probe-pool.js';
import type { ProbeRunner } from './start-pool.js';

/*
 * `scan.workers` unset: the main thread probes, and worker threads join it only
 * when they pay. A worker costs about half a second of CPU to start and warm
 * up its JIT, and its records cross a message port; it gains nothing while
 * the scan waits on the network (concurrency or the rate limit bound it, the
 * usual case of an Internet scan), nor on a small scan that ends before it
 * has warmed up. So once a second the scan reads how busy its threads' event
 * loops were (event-loop utilization: the share of the second spent running
 * code rather than waiting), and starts workers when every window of the last
 * two found them saturated and enough probes remain.
 */

/** A window in which the probing threads' mean event-loop utilization reaches this is saturated. */
export const SATURATED = 0.9;
/** Windows in a row that must be saturated before workers are added. */
export const SATURATED_WINDOWS = 2;
/** One window, in ms. */
export const WINDOW_MS = 1000;

export interface GrowthState {
  /** The last windows, oldest first; each the utilization (0-1) of every probing thread in it (the main thread first). */
  windows: number[][];
  /** Workers started so far (ready or not). */
  workers: number;
  /** Of those, workers still loading their plugins. */
  starting: number;
  maxWorkers: number;
  /** Probes not yet started, when the scan knows its size. */
  remaining: number | undefined;
  /** Probes that must remain for each worker added. */
  minProbes: number;
}

/**
 * How many workers to start now: none while one is still starting (its
 * threads have not been measured yet), at the cap, with too few probes left,
 * or unless the last SATURATED_WINDOWS windows were all saturated; otherwise
 * as many as there are probing threads (doubling, so that a many-core machine
 * reaches its cores in a few steps), at most the cap and one per `minProbes`
 * probes remaining.
 */
export function workersToAdd(s: GrowthState): number {
  if (s.starting > 0 || s.workers >= s.maxWorkers) return 0;
  if (s.remaining !== undefined && s.remaining < s.minProbes) return 0;
  if (s.windows.length < SATURATED_WINDOWS) return 0;
  for (const w of s.windows.slice(-SATURATED_WINDOWS)) if (mean(w) < SATURATED) return 0;
  let add = Math.min(s.workers + 1, s.maxWorkers - s.workers);
  if (s.remaining !== undefined) add = Math.min(add, Math.floor(s.remaining / s.minProbes));
  return Math.max(0, add);
}

function mean(xs: number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return xs.length ? sum / xs.length : 0;
}

export interface AutoRunnerOptions {
  /** Runs a probe in this thread. */
  local: (job: ProbeJob) => Promise<ProbeRecord>;
  /** Makes the pool (no worker started) the first time workers are wanted. */
  makePool: () => ProbePool;
  maxWorkers: number;
  minProbes: number;
  /** Probes the scan will start, when known. */
  total: number | undefined;
  logger: Logger;
  /** The main thread's event-loop utilization since the last call (default: node's; tests give their own). */
  mainUtilization?: () => number;
  windowMs?: number;
}

/**
 * The scan's probe runner with `scan.workers` unset: probes run in this thread
 * until workersToAdd() says otherwise, then each goes to whichever probing
 * thread (this one or a ready worker) has the fewest probes in flight, so a
 * thread that is slower to finish its probes (this one also writes the
 * records) gets fewer new ones.
 */
export class AutoProbeRunner implements ProbeRunner {
  readonly workers = 'auto';
  readonly run: (job: ProbeJob) => Promise<ProbeRecord>;
  private pool: ProbePool | undefined;
  private started = 0;
  private localInFlight = 0;
  private windows: number[][] = [];
  private timer: NodeJS.Timeout | undefined;
  private added = 0;
  private warned = false;
  // One pair for every local probe (no closure per probe).
  private readonly localDone = (r: ProbeRecord): ProbeRecord => {
    this.localInFlight--;
    return r;
  };
  private readonly localFailed = (err: unknown): never => {
    this.localInFlight--;
    throw err;
  };

  constructor(private readonly opts: AutoRunnerOptions) {
    this.run = (job) => {
      this.started++;
      const pool = this.pool;
      // No worker yet (most scans, all along): the probe as runScan's own, nothing counted.
      if (pool === undefined) return opts.local(job);
      if (pool.failure === undefined && this.localInFlight > pool.readyLoad()) return pool.run(job);
      // Counted from the pool's making on: the probes this thread started before end on their own
      // within a probe's time, while the new workers load their plugins.
      this.localInFlight++;
      return opts.local(job).then(this.localDone, this.localFailed);
    };
  }

  /** Start watching the threads' utilization (nothing to watch when no worker may be added). */
  start(): void {
    if (this.opts.maxWorkers < 1 || this.timer) return;
    const main = this.opts.mainUtilization ?? mainThreadUtilization();
    this.timer = setInterval(() => this.tick(main()), this.opts.windowMs ?? WINDOW_MS);
    this.timer.unref();
  }

  /** Workers started during the scan. */
  get workersAdded(): number {
    return this.added;
  }

  /** Workers that died during the scan (their probes were retried, see ProbePool). */
  get crashes(): number {
    return this.pool?.crashes ?? 0;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pool?.close();
  }

  private tick(mainBusy: number): void {
    const pool = this.pool;
    if (pool?.failure) {
      // A worker that cannot load the plugins: every later one would fail too. The scan goes on in the threads it has.
      if (!this.warned) this.opts.logger.warn({ err: pool.failure.message }, 'a probe worker failed to start; the scan goes on without more workers');
      this.warned = true;
      clearInterval(this.timer);
      return;
    }
    const starting = pool?.starting ?? 0;
    const busy = [mainBusy, ...(pool?.utilization() ?? [])];
    if (starting > 0) {
      // The threads are changing: measure again once every worker is ready.
      this.windows = [];
      return;
    }
    // A worker that became ready is measured from its second window on: compare like with like.
    if (this.windows.length > 0 && this.windows[this.windows.length - 1]!.length !== busy.length) this.windows = [];
    this.windows.push(busy);
    if (this.windows.length > SATURATED_WINDOWS) this.windows.shift();
    const remaining = this.opts.total === undefined ? undefined : Math.max(0, this.opts.total - this.started);
    const add = workersToAdd({ windows: this.windows, workers: pool?.workers ?? 0, starting, maxWorkers: this.opts.maxWorkers, remaining, minProbes: this.opts.minProbes });
    if (add === 0) return;
    (this.pool ??= this.opts.makePool()).grow(add);
    this.added += add;
    this.windows = [];
    this.opts.logger.info({ add, workers: this.pool.workers, utilization: busy.map((u) => Math.round(u * 100) / 100), remaining }, 'probing threads saturated: starting probe workers');
  }
}

function mainThreadUtilization(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}
