import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { WildtlsError } from '../../errors.js';
import { recordIdentity, type ProbeJob } from '../../probe/run-probe.js';
import type { ProbeRecord } from '../../record/record-schema.js';
import { parseRecordLine } from '../../record/record-line.js';
import type { ProbeRequest, ProbeRequests, WorkerMessage, WorkerSetup } from './messages.js';

interface Pending {
  id: number;
  job: ProbeJob;
  /** Workers it was sent to; a probe is retried once after a crash, then recorded as internal-error. */
  attempts: number;
  startedAt: Date;
  resolve: (r: ProbeRecord) => void;
  reject: (e: unknown) => void;
}

interface Member {
  worker: Worker;
  jobs: Map<number, Pending>;
  ready: boolean;
  /** Settles when the worker is ready or has died. */
  started: Promise<void>;
  exited: boolean;
  /** Jobs dispatched in this turn of the event loop, sent together at its end (one message, one wake-up of the worker). */
  outbox: ProbeRequest[];
  /** The worker's event-loop utilization when utilization() last read it. */
  elu: EventLoopUtilization | undefined;
}

export interface ProbePoolOptions {
  /** Worker threads start() starts (0: none until grow()). */
  size: number;
  setup: WorkerSetup;
  logger: Logger;
}

const WORKER_URL = new URL('./probe-worker.js', import.meta.url);

/**
 * Runs probes in worker threads, each with its own event loop, engine and
 * plugins. `start()` starts them all; a job goes to the least-loaded ready
 * worker. A worker that dies (an uncaught
 * exception in a plugin, say) takes no record with it: its probes are sent
 * once more to another worker, and a probe whose second worker dies too is
 * recorded as internal-error.
 */
export class ProbePool {
  private readonly members: Member[] = [];
  private nextId = 0;
  private closing = false;
  private broken: Error | undefined;
  /** Workers that died during the scan. */
  crashes = 0;
  /** Probes recorded as internal-error because their workers died. */
  lost = 0;
  /** Jobs sent to workers, and the messages that carried them (logged at debug level on close). */
  private sent = { jobs: 0, messages: 0 };

  constructor(private readonly opts: ProbePoolOptions) {
    if (!(opts.size >= 0)) throw new WildtlsError('WILDTLS_ERR_USAGE', 'the probe pool needs a worker count of 0 or more');
  }

  get size(): number {
    return this.opts.size;
  }

  get workers(): number {
    return this.members.length;
  }

  /** Start every worker and resolve once all have loaded their plugins (before the scan admits its first probe). */
  async start(): Promise<void> {
    while (this.members.length < this.opts.size) this.spawn();
    await Promise.all(this.members.map((m) => m.started));
    if (this.broken) throw this.broken;
  }

  /**
   * Start `n` more workers without waiting for them (a scan already under way: auto-workers.ts). A
   * worker gets jobs once it has loaded its plugins; until then `readyLoad()` leaves it out.
   */
  grow(n: number): void {
    for (let i = 0; i < n; i++) this.spawn();
  }

  /** Workers started but not yet ready. */
  get starting(): number {
    let n = 0;
    for (const m of this.members) if (!m.ready) n++;
    return n;
  }

  /** The error that stopped the pool (a worker that could not load its plugins), if any: run() rejects with it. */
  get failure(): Error | undefined {
    return this.broken;
  }

  /** Jobs in flight in the least-loaded ready worker (Infinity while none is ready): where run() would send the next job. */
  readyLoad(): number {
    let least = Infinity;
    for (const m of this.members) if (m.ready && m.jobs.size < least) least = m.jobs.size;
    return least;
  }

  /** Each ready worker's event-loop utilization (0-1) since the last call (or since it became ready). */
  utilization(): number[] {
    const out: number[] = [];
    for (const m of this.members) {
      if (!m.ready) continue;
      const now = m.worker.performance.eventLoopUtilization();
      if (m.elu) out.push(m.worker.performance.eventLoopUtilization(now, m.elu).utilization);
      m.elu = now;
    }
    return out;
  }

  /** Run one probe in a worker; resolves to its record (parsed from the line the worker serialized; the JSONL sink writes that line as it is). */
  run(job: ProbeJob): Promise<ProbeRecord> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<ProbeRecord>((resolve, reject) => {
      this.dispatch({ id: this.nextId++, job, attempts: 0, startedAt: new Date(), resolve, reject });
    });
  }

  /** Stop every worker (probes still running in them are dropped: the scan has abandoned them). */
  async close(): Promise<void> {
    this.closing = true;
    this.opts.logger.debug(this.sent, 'probe pool closing: jobs sent to workers, in messages');
    await Promise.all(this.members.splice(0).map((m) => m.worker.terminate()));
  }

  private dispatch(p: Pending): void {
    const m = this.pick();
    p.attempts++;
    m.jobs.set(p.id, p);
    if (m.outbox.length === 0) setImmediate(() => this.send(m));
    m.outbox.push({ id: p.id, target: p.job.target, protocolId: p.job.protocolId });
  }

  /** Send a worker the jobs dispatched to it since the last send (a dead worker's jobs were dispatched again by onExit). */
  private send(m: Member): void {
    const jobs = m.outbox;
    m.outbox = [];
    if (m.exited || jobs.length === 0) return;
    m.worker.postMessage({ type: 'probes', jobs } satisfies ProbeRequests);
    this.sent.jobs += jobs.length;
    this.sent.messages++;
  }

  private pick(): Member {
    if (this.members.length === 0) this.spawn();
    // A worker still loading its plugins only gets jobs when none is ready:
    // the jobs would wait there and then connect at once, as a burst past the rate limit.
    let best: Member | undefined;
    for (const m of this.members) {
      if (best && best.ready && !m.ready) continue;
      if (!best || (m.ready && !best.ready) || m.jobs.size < best.jobs.size) best = m;
    }
    return best!;
  }

  private spawn(): Member {
    // Messages posted before the worker listens are queued by the port.
    const worker = new Worker(WORKER_URL, { workerData: this.opts.setup });
    let settle!: () => void;
    const started = new Promise<void>((resolve) => (settle = resolve));
    const m: Member = { worker, jobs: new Map(), ready: false, started, exited: false, outbox: [], elu: undefined };
    let error: unknown;
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready') {
        m.ready = true;
        settle();
      } else this.onMessage(m, msg);
    });
    worker.on('error', (err) => (error = err));
    worker.on('exit', (code) => {
      settle();
      this.onExit(m, code, error);
    });
    this.members.push(m);
    return m;
  }

  private onMessage(m: Member, msg: Exclude<WorkerMessage, { type: 'ready' }>): void {
    if (msg.type === 'records') {
      for (const a of msg.answers) {
        const p = m.jobs.get(a.id);
        if (!p) continue;
        m.jobs.delete(a.id);
        p.resolve(parseRecordLine(a.line));
      }
      return;
    }
    const p = m.jobs.get(msg.id);
    if (!p) return;
    m.jobs.delete(msg.id);
    p.reject(Object.assign(new Error(msg.message), { stack: msg.stack }));
  }

  private onExit(m: Member, code: number, error: unknown): void {
    m.exited = true;
    // Jobs still in its outbox never reached it: they do not count as an attempt.
    for (const req of m.outbox) {
      const p = m.jobs.get(req.id);
      if (p) p.attempts--;
    }
    m.outbox = [];
    const i = this.members.indexOf(m);
    if (i >= 0) this.members.splice(i, 1);
    if (this.closing) return;
    const why = error instanceof Error ? error.message : `exit code ${code}`;
    const orphans = [...m.jobs.values()];
    m.jobs.clear();
    if (!m.ready) {
      // It never loaded its plugins: every worker would fail the same way.
      this.broken = new WildtlsError('WILDTLS_ERR_USAGE', `a probe worker failed to start: ${why}; run with --workers 1 to scan in one thread`, { cause: error });
      for (const p of orphans) p.reject(this.broken);
      return;
    }
    this.crashes++;
    this.opts.logger.error({ err: error, inFlight: orphans.length, crashes: this.crashes }, `probe worker died (${why}); its probes are retried once on another worker`);
    this.spawn(); // a replacement, so the pool keeps its size
    for (const p of orphans) {
      if (p.attempts < 2) this.dispatch(p);
      else {
        this.lost++;
        p.resolve(crashRecord(p, why));
      }
    }
  }
}

/** The record of a probe whose worker died twice while running it: our own failure, never the server's. */
function crashRecord(p: Pending, why: string): ProbeRecord {
  return {
    ...recordIdentity(p.job),
    status: 'internal-error',
    error: { reason: 'internal', message: `the probe worker died twice while running this probe (${why})` },
    startedAt: p.startedAt.toISOString(),
    durationMs: Math.round((Date.now() - p.startedAt.getTime()) * 100) / 100,
  } as ProbeRecord;
}
