/**
 * At most `size` items, the oldest replaced first: the small caches of record pieces a scan meets
 * again and again (extension lists, chains, certificates' base64, a chain's JSON). Callers look up by
 * looping over `items` themselves (no predicate closure on the probe path); a value kept beside an item
 * goes in an array of the caller's at the index add() returns.
 */
export class RecentSlots<T> {
  declare readonly items: T[];
  private declare readonly size: number;
  private declare next: number;

  constructor(size: number) {
    this.items = [];
    this.size = size;
    this.next = 0;
  }

  /** Keep `item` (in a free slot, else in the oldest one's); returns its slot. */
  add(item: T): number {
    const { items } = this;
    if (items.length < this.size) return items.push(item) - 1;
    const at = this.next;
    items[at] = item;
    this.next = (at + 1) % this.size;
    return at;
  }
}
