import type { TargetSourceStats } from '../targets/target-source.js';

/** Counters the checkpoint carries so a resumed scan's totals continue where the first run stopped. */
export interface StreamCounters {
  /** Targets (source inputs) yielded before the position. */
  targets: number;
  excluded: number;
  invalid: number;
}

export interface TrackerSnapshot {
  /** Every target before this position has all its records in the sinks. */
  position: number;
  /** Keys of records already written for targets at or after `position` (skipped on resume). */
  written: string[];
  counters: StreamCounters;
}

interface Unit {
  pending: number;
  keys: string[];
  before: StreamCounters;
}

/** The identity of a record for exactly-once accounting. */
export function probeKey(r: { ip: string; port: number; service: string; domain?: string; mailDomain?: string }): string {
  // Two mail domains may share an MX host: their probes are distinct records.
  return `${r.ip}|${r.port}|${r.service}|${r.domain ?? ''}${r.mailDomain ? `|${r.mailDomain}` : ''}`;
}

/**
 * Knows which source positions are finished: a position is finished when the
 * source has moved past it and every record of its probes has been written
 * by the sinks. The checkpoint position is the first unfinished one, so a
 * crash at any moment loses nothing and, with the `written` keys, repeats
 * nothing. Memory: one entry per position still in flight.
 */
export class PositionTracker {
  private readonly units = new Map<number, Unit>();
  private open: number | undefined;
  private last: number;
  private ended = false;
  /**
   * Records tagged and not yet written, with their positions, oldest at `head`, up to `tail` (a record
   * written out of turn leaves a hole; the slots are reused once all are written). The scan's sinks
   * write records in the order they were tagged, so the record looked for is at the head: no WeakMap
   * entry per record (an ephemeron the garbage collector must process), no search.
   */
  private readonly tagged: Array<object | undefined> = [];
  private readonly taggedAt: number[] = [];
  private head = 0;
  private tail = 0;
  private yielded: number;
  private base: StreamCounters;
  /**
   * A resumed scan's inherited `written` keys that the scan has not reached
   * yet: their records are in the output, so every checkpoint must list them
   * until the scan skips them (then they belong to a position's unit).
   */
  private readonly carried = new Map<string, number>();

  /** `start`: the resume position; `prior`: the counters up to it; `carried`: the checkpoint's written keys. */
  constructor(start = 0, prior: StreamCounters = { targets: 0, excluded: 0, invalid: 0 }, carried: string[] = []) {
    this.last = start - 1;
    this.base = prior;
    this.yielded = prior.targets;
    for (const k of carried) this.carried.set(k, (this.carried.get(k) ?? 0) + 1);
  }

  /** The source yielded a target at `position`; `stats` are the source's counters at that moment. */
  input(position: number, stats: TargetSourceStats): void {
    if (position !== this.open) {
      if (position < this.last) throw new Error(`target source went backwards: position ${position} after ${this.last}`);
      this.open = position;
      this.last = position;
      if (!this.units.has(position)) {
        this.units.set(position, { pending: 0, keys: [], before: { targets: this.yielded, excluded: this.base.excluded + stats.excluded, invalid: this.base.invalid + stats.invalid } });
      }
      this.prune();
    }
    this.yielded++;
  }

  /** A probe was started for the target at `position`; tag its record when it exists. */
  started(position: number): void {
    this.units.get(position)!.pending++;
  }

  /** The record of a probe started at `position`; held until `written` is called for it. */
  tag(record: object, position: number): void {
    this.tagged[this.tail] = record;
    this.taggedAt[this.tail++] = position;
  }

  /**
   * The sinks have written this record. `key` is kept for the checkpoints' `written` list; without
   * it (a scan that takes no checkpoints) only the count is.
   */
  written(record: object, key?: string): void {
    const position = this.untag(record);
    if (position === undefined) return;
    const unit = this.units.get(position);
    if (!unit) return;
    unit.pending--;
    if (key !== undefined) unit.keys.push(key);
  }

  /** The position `record` was tagged with, forgotten; undefined when it was not tagged. */
  private untag(record: object): number | undefined {
    const list = this.tagged;
    const tail = this.tail;
    let i = this.head;
    while (i < tail && list[i] !== record) i++;
    if (i === tail) return undefined;
    const position = this.taggedAt[i];
    list[i] = undefined;
    if (i === this.head) {
      let h = i + 1;
      while (h < tail && list[h] === undefined) h++;
      if (h === tail) {
        h = 0;
        this.tail = 0;
      } else if (h >= 1024 && h * 2 >= tail) {
        // Records are always in flight (a slow sink): the written front is cut off, the rest moved down.
        list.copyWithin(0, h, tail);
        this.taggedAt.copyWithin(0, h, tail);
        list.fill(undefined, tail - h, tail);
        this.tail = tail - h;
        h = 0;
      }
      this.head = h;
    }
    return position;
  }

  /**
   * A resumed scan skipped this key because an earlier run already wrote its
   * record past the checkpoint. The record is still in the output, so later
   * checkpoints must keep listing it until its position is finished, or a
   * second interruption would scan it again.
   */
  alreadyWritten(position: number, key: string): void {
    const n = this.carried.get(key) ?? 0;
    if (n > 1) this.carried.set(key, n - 1);
    else this.carried.delete(key);
    this.units.get(position)?.keys.push(key);
  }

  /** The source has nothing more. */
  end(): void {
    this.ended = true;
    this.open = undefined;
    this.prune();
  }

  get sourceEnded(): boolean {
    return this.ended;
  }

  /** True when the source ended and every record was written. */
  get complete(): boolean {
    this.prune();
    return this.ended && this.units.size === 0;
  }

  snapshot(current: TargetSourceStats): TrackerSnapshot {
    this.prune();
    const written: string[] = [];
    for (const [k, n] of this.carried) for (let i = 0; i < n; i++) written.push(k);
    const first = this.units.entries().next();
    if (first.done) {
      return {
        position: this.last + 1,
        written,
        counters: { targets: this.yielded, excluded: this.base.excluded + current.excluded, invalid: this.base.invalid + current.invalid },
      };
    }
    const [position, unit] = first.value;
    for (const u of this.units.values()) written.push(...u.keys);
    return { position, written, counters: unit.before };
  }

  /** The first position not yet finished (for progress). */
  get watermark(): number {
    this.prune();
    const first = this.units.keys().next();
    return first.done ? this.last + 1 : first.value;
  }

  private prune(): void {
    for (const [position, unit] of this.units) {
      if (unit.pending > 0 || position === this.open) return;
      this.units.delete(position);
    }
  }
}
