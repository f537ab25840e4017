import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ProbeStatus } from '../record/status.js';
import type { Sink } from '../sinks/sink.js';
import type { TargetSource } from '../targets/target-source.js';
import { writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { probeKey, type PositionTracker } from './position-tracker.js';

export interface SinkWriterOptions {
  sinks: Sink[];
  tracker: PositionTracker;
  source: TargetSource;
  logger: Logger;
  /** Counters carried over from the checkpoint a resumed scan started from. */
  prior?: { probes: number; byStatus: Partial<Record<ProbeStatus, number>> };
  checkpoint?: {
    path: string;
    intervalMs: number;
    /** The stream's identity, copied into every checkpoint. */
    identity: Pick<Checkpoint, 'source' | 'fingerprint' | 'seed' | 'shards' | 'shard' | 'plan'>;
    /** The JSONL output file whose length is recorded (or the store whose record count is). */
    outputPath?: string;
    /** For a store: its committed record count, recorded instead of a length. */
    outputRecords?: () => Promise<number>;
  };
}

/**
 * The one bus subscriber that feeds the sinks. Records are written to every
 * sink in turn, so between two records the sinks are consistent; that is where
 * checkpoints are taken: snapshot the positions, flush the sinks, note the
 * output's length, write the checkpoint.
 */
export class SinkWriter {
  probes: number;
  readonly byStatus: Partial<Record<ProbeStatus, number>>;
  private lastCheckpoint = performance.now();

  constructor(private readonly opts: SinkWriterOptions) {
    this.probes = opts.prior?.probes ?? 0;
    this.byStatus = { ...(opts.prior?.byStatus ?? {}) };
  }

  /**
   * The bus handler. A promise only when there is something to wait for (a sink over its high-water
   * mark, a checkpoint): a record every sink took at once is handled before this returns, and the bus
   * goes on to the next one without a microtask turn.
   */
  readonly handle = (record: ProbeRecord): Promise<void> | undefined => {
    const sinks = this.opts.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const pending = sinks[i]!.write(record) as Promise<void> | undefined;
      if (pending) return this.writeRest(pending, record, i + 1);
    }
    return this.written(record);
  };

  /** A sink asked to be waited for: the others get the record after it, in turn, as before. */
  private async writeRest(pending: Promise<void>, record: ProbeRecord, next: number): Promise<void> {
    await pending;
    const sinks = this.opts.sinks;
    for (let i = next; i < sinks.length; i++) await sinks[i]!.write(record);
    await this.written(record);
  }

  /** Every sink has the record: count it, and take a checkpoint when one is due. */
  private written(record: ProbeRecord): Promise<void> | undefined {
    const cp = this.opts.checkpoint;
    // The key is only read by checkpoints: a scan without one makes no key string per record.
    this.opts.tracker.written(record, cp ? probeKey(record) : undefined);
    this.probes++;
    this.byStatus[record.status] = (this.byStatus[record.status] ?? 0) + 1;
    if (cp && performance.now() - this.lastCheckpoint >= cp.intervalMs) return this.checkpoint().then(ignore);
    return undefined;
  }

  /** Take a checkpoint now (also the final one, after the bus has drained). */
  async checkpoint(): Promise<Checkpoint | undefined> {
    const cp = this.opts.checkpoint;
    if (!cp) return undefined;
    this.lastCheckpoint = performance.now();
    const snap = this.opts.tracker.snapshot(this.opts.source.stats());
    const complete = this.opts.tracker.complete;
    const counters = { ...snap.counters, probes: this.probes, byStatus: { ...this.byStatus } };
    await Promise.all(this.opts.sinks.map((s) => s.flush?.()));
    const output = !cp.outputPath ? undefined
      : cp.outputRecords ? { path: cp.outputPath, bytes: 0, records: await cp.outputRecords() }
      : { path: cp.outputPath, bytes: statSync(cp.outputPath).size };
    const data: Checkpoint = {
      version: 1,
      ...cp.identity,
      position: snap.position,
      written: snap.written,
      counters,
      ...(output ? { output } : {}),
      complete,
      updatedAt: new Date().toISOString(),
    };
    writeCheckpoint(cp.path, data);
    this.opts.logger.debug({ position: data.position, pendingKeys: data.written.length, complete }, 'checkpoint written');
    return data;
  }
}

function ignore(): void {}
