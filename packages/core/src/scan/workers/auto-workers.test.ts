import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { ProbeJob } from '../../probe/run-probe.js';
import type { ProbeRecord } from '../../record/record-schema.js';
import { AutoProbeRunner, workersToAdd, type GrowthState } from './auto-workers.js';
import type { ProbePool } from './probe-pool.js';

const busy = [0.95];
const idle = [0.3];
const state = (over: Partial<GrowthState>): GrowthState => ({ windows: [busy, busy], workers: 0, starting: 0, maxWorkers: 7, remaining: 100_000, minProbes: 8192, ...over });

describe('workersToAdd: when a scan without scan.workers starts workers (docs/cli.md, "Scanning on every core")', () => {
  it.each([
    ['two saturated windows, nothing started yet: one worker (as many as the threads probing)', {}, 1],
    ['one saturated window only', { windows: [busy] }, 0],
    ['the older window was not saturated', { windows: [idle, busy] }, 0],
    ['the last window was not saturated', { windows: [busy, busy, idle] }, 0],
    ['saturated on average over the threads', { windows: [[1, 0.85], [0.92, 0.9]], workers: 1 }, 2],
    ['one thread idle pulls the mean under 0.9', { windows: [[1, 0.5], [1, 0.5]], workers: 1 }, 0],
    ['doubling: 3 threads probing, 3 more', { windows: [[1, 1, 1], [1, 1, 1]], workers: 2 }, 3],
    ['at most the cap', { windows: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], workers: 4, maxWorkers: 5 }, 1],
    ['at the cap', { workers: 7 }, 0],
    ['no worker allowed (one core)', { maxWorkers: 0 }, 0],
    ['a worker still starting', { workers: 1, starting: 1, windows: [[1, 1], [1, 1]] }, 0],
    ['fewer probes remaining than one worker needs', { remaining: 8191 }, 0],
    ['one worker per minProbes remaining', { windows: [[1, 1], [1, 1]], workers: 1, remaining: 8192 }, 1],
    ['the scan size unknown (zmap on stdin, domains)', { remaining: undefined }, 1],
  ] as Array<[string, Partial<GrowthState>, number]>)('%s', (_name, over, want) => {
    expect(workersToAdd(state(over))).toBe(want);
  });
});

/** A pool as the runner sees it: workers become ready when the test says so, probes "run" in them at once. */
class FakePool {
  workers = 0;
  starting = 0;
  failure: Error | undefined;
  crashes = 0;
  ran: string[] = [];
  load = Infinity;
  busy: number[] = [];
  closed = false;
  grow(n: number) {
    this.workers += n;
    this.starting += n;
  }
  ready() {
    this.starting = 0;
    this.load = 0;
  }
  readyLoad() {
    return this.load;
  }
  utilization() {
    return this.starting ? [] : this.busy;
  }
  run(job: ProbeJob): Promise<ProbeRecord> {
    this.ran.push(job.target.ip);
    this.load++;
    return Promise.resolve({ ip: job.target.ip, status: 'success' } as ProbeRecord);
  }
  async close() {
    this.closed = true;
  }
}

const job = (ip: string) => ({ target: { ip, port: 25, service: 'smtp' }, protocolId: 'smtp' }) as unknown as ProbeJob;

describe('AutoProbeRunner', () => {
  afterEach(() => vi.useRealTimers());

  function setup(opts: { total?: number; maxWorkers?: number; mainBusy: () => number }) {
    vi.useFakeTimers();
    const pool = new FakePool();
    const local: string[] = [];
    const pending: Array<() => void> = [];
    const runner = new AutoProbeRunner({
      // Local probes end when the test lets them (pending), so the main thread's load is the test's to set.
      local: (j) =>
        new Promise<ProbeRecord>((resolve) => {
          local.push(j.target.ip);
          pending.push(() => resolve({ ip: j.target.ip, status: 'success' } as ProbeRecord));
        }),
      makePool: () => pool as unknown as ProbePool,
      maxWorkers: opts.maxWorkers ?? 1,
      minProbes: 10,
      total: opts.total,
      logger: pino({ level: 'silent' }),
      mainUtilization: opts.mainBusy,
      windowMs: 1000,
    });
    return { pool, local, pending, runner };
  }

  it('runs every probe in this thread while it is not saturated', async () => {
    const { pool, local, runner } = setup({ mainBusy: () => 0.5 });
    runner.start();
    for (let i = 0; i < 5; i++) void runner.run(job(`127.0.0.${i}`));
    vi.advanceTimersByTime(10_000);
    expect(local).toHaveLength(5);
    expect(pool.workers).toBe(0);
    expect(runner.workersAdded).toBe(0);
    await runner.close();
  });

  it('starts a worker after two saturated windows, then sends a probe to whichever thread has fewer in flight', async () => {
    const { pool, local, pending, runner } = setup({ mainBusy: () => 0.97 });
    runner.start();
    // Before any worker: runScan's own probe, uncounted.
    for (let i = 0; i < 3; i++) void runner.run(job(`127.0.0.${i}`));
    vi.advanceTimersByTime(1000);
    expect(pool.workers).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(pool.workers).toBe(1);
    expect(runner.workersAdded).toBe(1);
    // Still loading its plugins: probes stay here (counted from now on: the three before end on their own).
    void runner.run(job('127.0.0.3'));
    expect(local).toHaveLength(4);
    pool.ready();
    // 1 in flight here (counted), 0 there: the worker, then whichever has fewer, this thread on a tie.
    for (let i = 4; i < 10; i++) void runner.run(job(`127.0.0.${i}`));
    expect(pool.ran).toEqual(['127.0.0.4', '127.0.0.6', '127.0.0.8']);
    expect(local).toEqual(['127.0.0.0', '127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.5', '127.0.0.7', '127.0.0.9']);
    // Local probes that end make room here again.
    for (const end of pending.splice(0)) end();
    await vi.advanceTimersByTimeAsync(0);
    void runner.run(job('127.0.0.10'));
    expect(local).toHaveLength(8);
    expect(pool.ran).toHaveLength(3);
    // At the cap (one worker): no more, however busy.
    pool.busy = [1];
    vi.advanceTimersByTime(5000);
    expect(pool.workers).toBe(1);
    await runner.close();
    expect(pool.closed).toBe(true);
  });

  it('starts no worker when too few probes remain, counted from the probes it has started', async () => {
    const { pool, runner } = setup({ total: 15, mainBusy: () => 1 });
    runner.start();
    for (let i = 0; i < 6; i++) void runner.run(job(`127.0.0.${i}`));
    vi.advanceTimersByTime(5000);
    // 9 remain, fewer than the 10 a worker needs.
    expect(pool.workers).toBe(0);
    await runner.close();
  });

  it('goes on in this thread when a worker cannot start', async () => {
    const { pool, local, runner } = setup({ mainBusy: () => 1 });
    runner.start();
    vi.advanceTimersByTime(2000);
    expect(pool.workers).toBe(1);
    pool.ready();
    pool.failure = new Error('a probe worker failed to start');
    void runner.run(job('127.0.0.1'));
    expect(local).toEqual(['127.0.0.1']);
    expect(pool.ran).toEqual([]);
    await runner.close();
  });

  it('watches nothing when no worker may be added (one core, or an engine workers cannot build)', async () => {
    const mainBusy = vi.fn(() => 1);
    const { pool, runner } = setup({ maxWorkers: 0, mainBusy });
    runner.start();
    vi.advanceTimersByTime(5000);
    expect(mainBusy).not.toHaveBeenCalled();
    expect(pool.workers).toBe(0);
    await runner.close();
  });
});
