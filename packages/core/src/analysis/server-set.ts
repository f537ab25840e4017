import { IntMap, IntSet } from './int-table.js';

/**
 * Sets and maps keyed by serverKey (server-key.ts): the packed IPv4 numbers,
 * nearly all of them, in typed-array tables (int-table.ts: no 2^24 ceiling,
 * a fraction of a Map's memory), the rest (IPv6, odd records) in a Map.
 */
export class ServerSet {
  private readonly packed = new IntSet();
  private readonly other = new Set<string>();

  /** Adds the key; true when it was new. */
  add(key: number | string): boolean {
    if (typeof key === 'number') return this.packed.add(key);
    if (this.other.has(key)) return false;
    this.other.add(key);
    return true;
  }

  has(key: number | string): boolean {
    return typeof key === 'number' ? this.packed.has(key) : this.other.has(key);
  }

  delete(key: number | string): boolean {
    return typeof key === 'number' ? this.packed.delete(key) : this.other.delete(key);
  }

  get size(): number {
    return this.packed.size + this.other.size;
  }
}

/** serverKey -> an int32 (a group index, a chain id). */
export class ServerMap {
  private readonly packed = new IntMap();
  private readonly other = new Map<string, number>();

  get(key: number | string): number | undefined {
    return typeof key === 'number' ? this.packed.get(key) : this.other.get(key);
  }

  set(key: number | string, value: number): this {
    if (typeof key === 'number') this.packed.set(key, value);
    else this.other.set(key, value);
    return this;
  }

  has(key: number | string): boolean {
    return typeof key === 'number' ? this.packed.has(key) : this.other.has(key);
  }

  delete(key: number | string): boolean {
    return typeof key === 'number' ? this.packed.delete(key) : this.other.delete(key);
  }

  get size(): number {
    return this.packed.size + this.other.size;
  }
}
