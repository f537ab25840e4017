/** In-order walk (scan.order: sequential): shard i of N takes indices i, i+N, i+2N, ... */
export class SequentialWalk {
  readonly steps: number;
  position: number;

  constructor(private readonly size: number, private readonly shard: number, private readonly shards: number, from = 0) {
    this.steps = shard < size ? Math.floor((size - 1 - shard) / shards) + 1 : 0;
    this.position = Math.min(Math.max(0, from), this.steps);
  }

  next(): number {
    if (this.position >= this.steps) return -1;
    return this.shard + this.position++ * this.shards;
  }
}
