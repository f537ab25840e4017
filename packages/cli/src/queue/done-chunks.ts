/**
 * The chunks whose records are in the output: every chunk below `below`, and
 * the few above it that finished early. Chunks are enqueued in order within a
 * bounded window, so the set above the watermark stays small whatever the
 * size of the job (2^32 addresses are 16 million chunks of 256).
 */
export class DoneChunks {
  private readonly above: Set<number>;

  constructor(public below = 0, above: number[] = []) {
    this.above = new Set(above);
  }

  has(chunk: number): boolean {
    return chunk < this.below || this.above.has(chunk);
  }

  add(chunk: number): void {
    if (this.has(chunk)) return;
    this.above.add(chunk);
    while (this.above.delete(this.below)) this.below++;
  }

  get count(): number {
    return this.below + this.above.size;
  }

  /** Chunks above the watermark, sorted (for the checkpoint). */
  extra(): number[] {
    return [...this.above].sort((a, b) => a - b);
  }
}
