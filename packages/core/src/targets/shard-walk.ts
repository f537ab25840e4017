import { MulMod, powmod, mulmod, type CyclicGroup } from './cyclic-group.js';

/**
 * One shard's walk along the cycle. The cycle has p-1 steps; shard i of N
 * takes steps i, i+N, i+2N, ... so the shards are disjoint and together cover
 * the cycle exactly once, with no coordination between machines. A walk's
 * position is the number of its own steps taken; it can start at any position
 * (resume) in O(log p).
 */
export class ShardWalk {
  /** Steps this shard owns in total (including those that land on indices >= size). */
  readonly steps: number;
  private readonly mul: MulMod;
  private readonly size: number;
  private x: number;
  /** Position of the next step. */
  position: number;

  constructor(group: CyclicGroup, shard: number, shards: number, from = 0) {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
    if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new RangeError(`shard must be in 0..${shards - 1}, got ${shard}`);
    const order = group.prime - 1;
    this.steps = shard < order ? Math.floor((order - 1 - shard) / shards) + 1 : 0;
    this.size = group.size;
    const stride = powmod(group.generator, shards, group.prime);
    this.mul = new MulMod(stride, group.prime);
    this.position = Math.min(Math.max(0, from), this.steps);
    // x = start · g^shard · stride^position
    const first = mulmod(group.start, powmod(group.generator, shard, group.prime), group.prime);
    this.x = mulmod(first, powmod(stride, this.position, group.prime), group.prime);
  }

  /** The next index in this shard (its position is `position - 1` afterwards), or -1 at the end. */
  next(): number {
    while (this.position < this.steps) {
      const idx = this.x - 1;
      this.x = this.mul.apply(this.x);
      this.position++;
      if (idx < this.size) return idx;
    }
    return -1;
  }
}
