import { IntMap, IntSet } from './int-table.js';

interface Keyed<K> {
  has(key: K): boolean;
  delete(key: K): boolean;
  readonly size: number;
}

/**
 * A table keyed by serverKey (server-key.ts): the packed IPv4 numbers, nearly
 * all of them, in a typed-array table (int-table.ts: no 2^24 ceiling, a
 * fraction of a Map's memory), the rest (IPv6, odd records) in a Set or Map.
 */
abstract class ServerKeyed<P extends Keyed<number>, O extends Keyed<string>> {
  constructor(protected readonly packed: P, protected readonly other: O) {}

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

/** A set of serverKeys. */
export class ServerSet extends ServerKeyed<IntSet, Set<string>> {
  constructor() {
    super(new IntSet(), new Set());
  }

  /** Adds the key; true when it was new. */
  add(key: number | string): boolean {
    if (typeof key === 'number') return this.packed.add(key);
    if (this.other.has(key)) return false;
    this.other.add(key);
    return true;
  }
}

/** serverKey -> an int32 (a group index, a chain id). */
export class ServerMap extends ServerKeyed<IntMap, Map<string, number>> {
  constructor() {
    super(new IntMap(), new Map());
  }

  get(key: number | string): number | undefined {
    return typeof key === 'number' ? this.packed.get(key) : this.other.get(key);
  }

  set(key: number | string, value: number): this {
    if (typeof key === 'number') this.packed.set(key, value);
    else this.other.set(key, value);
    return this;
  }
}
