/**
 * A bounded cache cheaper than an LRU on hot paths: two Maps, the current
 * generation and the one before. A hit in the older one moves the entry up;
 * when the current one holds `cap` entries, it becomes the older one and the
 * older one is dropped. So at most 2 x cap entries, no reordering on a hit in
 * the current generation, and what is used often stays (BoundedCache deletes
 * and sets again on every hit: a third of import's CPU on 1-2 KB keys).
 */
export class GenerationCache<K, V> {
  private current = new Map<K, V>();
  private older = new Map<K, V>();
  constructor(private readonly cap: number) {}

  get(key: K): V | undefined {
    const v = this.current.get(key);
    if (v !== undefined) return v;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  has(key: K): boolean {
    return this.current.has(key) || this.older.has(key);
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.cap && !this.current.has(key)) {
      this.older = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}
