/**
 * Hash sets and maps of non-negative integer keys below 2^53 (a serverKey is
 * below 2^48, an IP id below 2^49), on typed arrays: open addressing with
 * linear probing, a slot of 8 bytes per key (and 4 per int32 value), grown to
 * twice the slots past 3/4 full. A JavaScript Set or Map of such numbers
 * costs about 40-90 bytes per entry (a boxed double each, the table's own
 * entries and buckets) and holds at most 2^24 entries (V8 throws "Set maximum
 * size exceeded"): these cost 11-21 bytes per key (8 + 4 per value more in a
 * map) and hold up to 2^31 slots, so a study of 50M servers fits (issue 18).
 */

const EMPTY = -1;
const MIN_SLOTS = 16;
const MAX_SLOTS = 2 ** 31;

/** A key's home slot: both 32-bit halves mixed (murmur3's finalizer), masked. */
function slotOf(key: number, mask: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}

function checkKey(key: number): void {
  if (!(key >= 0 && key <= Number.MAX_SAFE_INTEGER && Number.isInteger(key))) throw new RangeError(`int-table key must be an integer in 0..2^53-1, got ${key}`);
}

/** The slots of a table; values only for a map. */
abstract class IntTable {
  protected keys: Float64Array;
  protected vals: Int32Array | undefined;
  protected mask: number;
  private count = 0;

  constructor(withValues: boolean) {
    this.keys = new Float64Array(MIN_SLOTS).fill(EMPTY);
    this.vals = withValues ? new Int32Array(MIN_SLOTS) : undefined;
    this.mask = MIN_SLOTS - 1;
  }

  get size(): number {
    return this.count;
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** Removes the key (true if it was there); later keys of its run move back (no tombstones). */
  delete(key: number): boolean {
    let i = this.find(key);
    if (i < 0) return false;
    const { keys, vals, mask } = this;
    this.count--;
    // Backward-shift deletion: move each later key of the run into the hole when its home slot allows.
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = slotOf(keys[j]!, mask);
      // j's key may move to i when i lies cyclically in [home, j).
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        keys[i] = keys[j]!;
        if (vals) vals[i] = vals[j]!;
        i = j;
      }
    }
    keys[i] = EMPTY;
    return true;
  }

  /** Every key, in slot order. */
  *keyList(): IterableIterator<number> {
    for (const k of this.keys) if (k !== EMPTY) yield k;
  }

  /** The slot of the key, or -1. */
  protected find(key: number): number {
    if (!(key >= 0)) return -1; // -1 is the empty slot's mark, and NaN is never a key
    const { keys, mask } = this;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === EMPTY) return -1;
    }
  }

  /**
   * The key's slot, the key placed there when new; a key already there gives -(slot + 1). (A number,
   * not an object: this runs for every record of a scan.)
   */
  protected place(key: number): number {
    checkKey(key);
    let { keys, mask } = this;
    let i = slotOf(key, mask);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return -(i + 1);
      if (k === EMPTY) break;
    }
    if ((this.count + 1) * 4 > keys.length * 3) {
      this.grow();
      ({ keys, mask } = this);
      for (i = slotOf(key, mask); keys[i] !== EMPTY; i = (i + 1) & mask);
    }
    keys[i] = key;
    this.count++;
    return i;
  }

  private grow(): void {
    const slots = this.keys.length * 2;
    if (slots > MAX_SLOTS) throw new RangeError(`int-table: more than ${(MAX_SLOTS / 4) * 3} keys`);
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.vals = oldVals ? new Int32Array(slots) : undefined;
    this.mask = slots - 1;
    const { keys, vals, mask } = this;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === EMPTY) continue;
      let i = slotOf(k, mask);
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      if (vals) vals[i] = oldVals![j]!;
    }
  }
}

/** A set of integers 0..2^53-1. */
export class IntSet extends IntTable {
  constructor() {
    super(false);
  }

  /** Adds the key; true when it was new. */
  add(key: number): boolean {
    return this.place(key) >= 0;
  }
}

/** A map of integers 0..2^53-1 to int32 values. */
export class IntMap extends IntTable {
  constructor() {
    super(true);
  }

  get(key: number): number | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.vals![i];
  }

  set(key: number, value: number): this {
    const placed = this.place(key); // first: place() may grow the table, replacing this.vals
    this.vals![placed >= 0 ? placed : -placed - 1] = value;
    return this;
  }
}
