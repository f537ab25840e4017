import type { Logger } from 'pino';
import type { ResultBus } from '../bus/result-bus.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeStatus } from '../record/status.js';
import type { ProbeTarget } from '../probe/dialog-context.js';
import type { TlsEngine } from '../tls/engine.js';
import type { TargetSource } from '../targets/target-source.js';
import type { KeyedAdmit } from '../rate/admission.js';
import { runProbe, type ProbeJob, type ProbeSettings } from '../probe/run-probe.js';
import { probesOf, type ScanService } from './expand-target.js';
import { PositionTracker, probeKey } from './position-tracker.js';
import { Semaphore } from './semaphore.js';

export type { ScanService } from './expand-target.js';

export interface ScanSummary {
  /** Target inputs taken from the source (per address, or per address and host name). */
  targets: number;
  /** Probes run, one record each (per target, port and service). */
  probes: number;
  /** Addresses removed by the blocklist or outside the allowlist (never connected to). */
  excluded: number;
  /** The first address the blocklist removed (for the hint when nothing could be scanned). */
  firstExcluded?: string;
  invalid: number;
  byStatus: Partial<Record<ProbeStatus, number>>;
  elapsedMs: number;
  /** Admission stopped early (SIGINT/SIGTERM or an error). */
  stopped: boolean;
  /** Probes still running when the shutdown grace ran out (their targets are scanned again on resume). */
  abandoned?: number;
  /** Probes not run because a previous run already wrote their record (resume). */
  skipped?: number;
  /** Probe worker threads that died during the scan (--workers > 1); their probes were retried once. */
  workerCrashes?: number;
  /** Probe worker threads that joined the scan because its threads were saturated (scan.workers unset). */
  workersAdded?: number;
}

export interface RunScanOptions {
  source: TargetSource;
  services: ScanService[];
  engine: TlsEngine;
  bus: ResultBus<ProbeRecord>;
  probe: ProbeSettings;
  concurrency: number;
  logger: Logger;
  /** Admission stops when this aborts; in-flight probes finish (within `graceMs`). */
  signal?: AbortSignal;
  /** How long in-flight probes may run after the signal (default: unbounded, i.e. the probe deadline). */
  graceMs?: number;
  /**
   * Called when a probe starts; resolves when the rate limiter admits it, to a function called when it ends.
   * A keyed admission (createAdmission's) is asked synchronously first and released by address: no promise
   * or closure per probe while there is room.
   */
  admit?: ((ip: string) => Promise<void | (() => void)>) | KeyedAdmit;
  /** A last check right before connecting (the blocklist may have been reloaded since the source yielded). */
  excludes?: (ip: string) => boolean;
  /** Resume: start the source here. */
  from?: number;
  /** Resume: records already in the output (key -> count); their probes are not run again. */
  skip?: Map<string, number>;
  /** Follows positions for checkpoints; records are tagged with their position before publishing. */
  tracker?: PositionTracker;
  /** Runs one probe (default: runProbe in this thread; a ProbePool runs it in a worker thread). */
  run?: (job: ProbeJob) => Promise<ProbeRecord>;
}

/**
 * The scan loop: targets in, one record per (target, port, service) out through
 * the bus. Admission waits for a concurrency slot, the rate limiter and the
 * bus (backpressure), so memory stays bounded whatever the number of targets.
 */
export async function runScan(opts: RunScanOptions): Promise<ScanSummary> {
  const t0 = performance.now();
  const slots = new Semaphore(opts.concurrency);
  const byStatus: Partial<Record<ProbeStatus, number>> = {};
  const tracker = opts.tracker ?? new PositionTracker(opts.from ?? 0);
  let targets = 0;
  let probes = 0;
  let lateExcluded = 0;
  let skipped = 0;
  let closed = false;
  // Boxed, so that a falsy thrown value (`throw undefined`) still stops the scan.
  let failure: { error: unknown } | undefined;
  let position = opts.from ?? 0;
  let unnumbered = 0;
  const log = opts.logger.child({ component: 'scan' });
  // The abort signal read once, not per probe: its getter is node's (a brand check per read), three reads a probe.
  let aborted = opts.signal?.aborted ?? false;
  const onAbort = () => {
    aborted = true;
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const skip = opts.skip;
  // A target input's probes, written here for each input (no generator, iterator result or pair object per probe).
  const targetsOf: ProbeTarget[] = [];
  const scansOf: ScanService[] = [];
  const run = opts.run ?? ((job: ProbeJob) => runProbe(job, opts.engine, opts.probe, log));
  // A probe's admission is given back by address (one function for the scan, not a closure per probe).
  const admit = opts.admit;
  const keyed = admit !== undefined && 'tryAdmit' in admit ? admit : undefined;
  const plain = admit !== undefined && !('tryAdmit' in admit) ? admit : undefined;
  const keyedRelease = keyed && ((ip: string) => keyed.release(ip));

  // Records the bus had no room for yet, in the order their probes ended (a backlog only under backpressure).
  const backlog: Array<ProbeRecord | undefined> = [];
  let backlogHead = 0;
  let publishing: Promise<void> | undefined;

  /**
   * One probe, from its run to its record on the bus; the slot is released only once the bus has
   * accepted the record. Its own function (not promise callbacks made in the loop): one promise per
   * probe, and the scan loop stays small for the compiler.
   */
  const finish = async (job: ProbeJob, release: ((ip: string) => void) | undefined, at: number): Promise<void> => {
    let record: ProbeRecord;
    try {
      record = await run(job);
    } catch (err) {
      failure ??= { error: err };
      slots.release();
      return;
    }
    release?.(job.target.ip);
    if (closed) {
      slots.release(); // abandoned at shutdown: its target stays unfinished and is scanned again on resume
      return;
    }
    byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    // Tagged for the caller's tracker only: the tracker holds a tagged record until told it was written.
    if (opts.tracker) tracker.tag(record, at);
    // The bus sees records one at a time, in this order: at once when it has room and nothing waits before it.
    if (publishing === undefined) {
      try {
        if (opts.bus.offer(record)) {
          slots.release();
          return;
        }
      } catch (err) {
        failure ??= { error: err };
        slots.release();
        return;
      }
    }
    backlog.push(record);
    publishing ??= publishBacklog();
  };

  /** Publish the backlog in order, each record's slot released once the bus has accepted it. */
  const publishBacklog = async (): Promise<void> => {
    while (backlogHead < backlog.length) {
      const record = backlog[backlogHead]!;
      backlog[backlogHead++] = undefined;
      try {
        await opts.bus.publish(record);
      } catch (err) {
        failure ??= { error: err };
      }
      slots.release();
    }
    backlog.length = 0;
    backlogHead = 0;
    publishing = undefined;
  };

  const iterator = opts.source.targets({ from: opts.from })[Symbol.asyncIterator]();
  try {
    outer: for (;;) {
      if (aborted || failure) break;
      const next = await iterator.next();
      if (next.done) {
        tracker.end();
        break;
      }
      const input = next.value;
      if (input.position === undefined) {
        // A source without positions: number its targets, and skip what a resumed scan already passed.
        if (unnumbered++ < (opts.from ?? 0)) continue;
        position = unnumbered - 1;
      } else {
        position = Math.max(position, input.position);
      }
      tracker.input(position, opts.source.stats());
      targets++;
      const count = probesOf(input, opts.services, targetsOf, scansOf);
      for (let i = 0; i < count; i++) {
        const target = targetsOf[i]!;
        const scan = scansOf[i]!;
        if (skip) {
          const key = probeKey(target);
          const already = skip.get(key);
          if (already) {
            skip.set(key, already - 1);
            tracker.alreadyWritten(position, key);
            skipped++;
            continue;
          }
        }
        // A slot free now is taken without a promise; otherwise wait for one.
        if (!slots.tryAcquire()) await slots.acquire();
        if (aborted || failure) {
          slots.release();
          break outer;
        }
        // Admission: taken at once when there is room (keyed), else waited for; released by address.
        let release: ((ip: string) => void) | undefined = undefined;
        if (admit !== undefined) {
          try {
            if (keyed !== undefined) {
              if (!keyed.tryAdmit(target.ip)) await keyed.wait(target.ip);
              release = keyedRelease;
            } else if (plain !== undefined) {
              release = (await plain(target.ip)) || undefined;
            }
          } catch (err) {
            slots.release();
            throw err;
          }
        }
        if (aborted) {
          release?.(target.ip);
          slots.release();
          break outer;
        }
        // Checked last, right before connecting: a SIGHUP reload may have blocked it while it waited.
        if (opts.excludes?.(target.ip)) {
          release?.(target.ip);
          slots.release();
          lateExcluded++;
          continue;
        }
        probes++;
        tracker.started(position);
        void finish({ target, protocolId: scan.service.plugin.id, spec: scan.service.spec, options: scan.options }, release, position);
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    targetsOf.length = 0;
    scansOf.length = 0;
    if (opts.signal?.aborted || failure) await iterator.return?.();
  }

  const abandoned = await settle(slots, opts.signal?.aborted ? opts.graceMs : undefined);
  closed = true;
  await publishing;
  if (failure) throw failure.error;
  if (abandoned) log.warn({ abandoned }, 'probes still running after the shutdown grace were abandoned; their targets are scanned again on resume');
  const stats = opts.source.stats();
  return {
    targets,
    probes: probes - abandoned,
    excluded: stats.excluded + lateExcluded,
    invalid: stats.invalid,
    ...(stats.firstExcluded ? { firstExcluded: stats.firstExcluded } : {}),
    byStatus,
    elapsedMs: Math.round(performance.now() - t0),
    stopped: Boolean(opts.signal?.aborted),
    ...(abandoned ? { abandoned } : {}),
    ...(skipped ? { skipped } : {}),
  };
}

/** Wait for in-flight probes; with a grace, give up after it and return how many were still running. */
async function settle(slots: Semaphore, graceMs: number | undefined): Promise<number> {
  if (graceMs === undefined) {
    await slots.idle();
    return 0;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    slots.idle().then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
  ]);
  clearTimeout(timer);
  return timedOut ? slots.inUse : 0;
}
