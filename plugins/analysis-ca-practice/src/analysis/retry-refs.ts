import type { RecheckItem } from './verdict-source.js';

/** One verdict settle() may still change, as ChainService keeps it with compact retry state. */
export interface RetryRef extends Omit<RecheckItem, 'chain'> {
  /** The scan's intermediate pool size when it was validated, and the missing issuer's name key. */
  poolSize: number;
  issuerKey: string;
}

const HASH_BYTES = 32;

/**
 * The retry references of a validator that keeps no chains, in columns: a
 * chain hash as its 32 bytes, times in a Float64Array, the issuer key and
 * the errors as indexes into tables of their distinct values. About 70 bytes
 * a verdict instead of some 220 as objects (a million chains that found no
 * issuer: 70 MB), since every distinct chain of a scan under an unknown root
 * has one.
 */
export class RetryRefs {
  private n = 0;
  private hashes = new Uint8Array(1024 * HASH_BYTES);
  private times = new Float64Array(1024 * 3);
  private ints = new Int32Array(1024 * 3);
  /** Hashes that are not the base64 of 32 bytes (a caller's own ids), by row. */
  private readonly otherHashes = new Map<number, string>();
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  get size(): number {
    return this.n;
  }

  push(r: RetryRef): void {
    if (this.n * 3 >= this.times.length) this.grow();
    const i = this.n++;
    const raw = Buffer.from(r.hash, 'base64');
    if (raw.length === HASH_BYTES && raw.toString('base64') === r.hash) this.hashes.set(raw, i * HASH_BYTES);
    else this.otherHashes.set(i, r.hash);
    this.times.set([r.at, r.from, r.until], i * 3);
    this.ints.set([r.poolSize, this.id(r.issuerKey), this.id(r.errors)], i * 3);
  }

  /** Removes and returns the references `take` selects, in the order they were pushed. */
  takeWhere(take: (poolSize: number, issuerKey: string) => boolean): RecheckItem[] {
    const out: RecheckItem[] = [];
    let kept = 0;
    const moved = new Map<number, string>();
    for (let i = 0; i < this.n; i++) {
      if (take(this.ints[i * 3]!, this.strings[this.ints[i * 3 + 1]!]!)) {
        out.push({ hash: this.hashAt(i), at: this.times[i * 3]!, from: this.times[i * 3 + 1]!, until: this.times[i * 3 + 2]!, errors: this.strings[this.ints[i * 3 + 2]!]! });
        continue;
      }
      if (kept !== i) {
        this.hashes.copyWithin(kept * HASH_BYTES, i * HASH_BYTES, (i + 1) * HASH_BYTES);
        this.times.copyWithin(kept * 3, i * 3, i * 3 + 3);
        this.ints.copyWithin(kept * 3, i * 3, i * 3 + 3);
      }
      const other = this.otherHashes.get(i);
      if (other !== undefined) moved.set(kept, other);
      kept++;
    }
    this.n = kept;
    this.otherHashes.clear();
    for (const [k, v] of moved) this.otherHashes.set(k, v);
    return out;
  }

  private hashAt(i: number): string {
    return this.otherHashes.get(i) ?? Buffer.from(this.hashes.buffer, this.hashes.byteOffset + i * HASH_BYTES, HASH_BYTES).toString('base64');
  }

  private id(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) this.stringIds.set(s, (id = this.strings.push(s) - 1));
    return id;
  }

  private grow(): void {
    const hashes = new Uint8Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const ints = new Int32Array(this.ints.length * 2);
    ints.set(this.ints);
    this.ints = ints;
  }
}
