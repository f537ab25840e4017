import { randomBytes } from 'node:crypto';

/**
 * Consecutive ids (0, 1, 2, ...) for SHA-256 digests, in typed arrays: the
 * 32 bytes of each digest in one Uint8Array (by id), the hash table an
 * Int32Array of ids (open addressing, linear probing, grown to twice the
 * slots past 3/4 full). About 38-43 bytes a digest, outside V8's heap limit,
 * where a JavaScript Map keyed by the digest's base64 or hex text costs
 * 110-160 bytes of heap a key and stops at 2^24 keys (issue 18: an analysis
 * keeps one entry per distinct chain or certificate, 15M in the study).
 *
 * A key is the digest's 32 bytes, or its base64 text (decoded: the two are
 * the same key). Any other key (another length, text that is not the
 * canonical base64 of 32 bytes) gets its id from a Map beside the table, in
 * the same id sequence: callers may use their own ids too. The home slot
 * mixes the digest's first 16 bytes with a per-table random seed, so even
 * inputs chosen to collide in a few bytes cost linear time on average.
 */

const BYTES = 32;
const EMPTY = -1;
const MIN_SLOTS = 16;
const MAX_SLOTS = 2 ** 30;

export type DigestKey = Uint8Array | string;

function word(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export class DigestIds {
  private digests = new Uint8Array(MIN_SLOTS * BYTES);
  private slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private mask = MIN_SLOTS - 1;
  private n = 0;
  /** Keys that are not digests ('b' + base64 of bytes, 's' + text), and their ids. */
  private readonly other = new Map<string, number>();
  private otherIds: Set<number> | undefined;
  private readonly seed: number;

  /** @param seed the home slots' seed (random by default; tests fix it). */
  constructor(seed = randomBytes(4).readUInt32LE(0)) {
    this.seed = seed >>> 0;
  }

  /** Distinct keys (the next new key's id). */
  get size(): number {
    return this.n;
  }

  /** The key's id: a new one (the size before the call) when the key was not there. */
  id(key: DigestKey): number {
    const d = digestOf(key);
    if (!d) return this.otherId(key, true);
    let i = this.home(d);
    for (; ; i = (i + 1) & this.mask) {
      const id = this.slots[i]!;
      if (id === EMPTY) break;
      if (this.equals(id, d)) return id;
    }
    const id = this.n++;
    this.store(id, d);
    if (this.n * 4 > this.slots.length * 3) this.grow(); // places every id, this one included
    else this.slots[i] = id;
    return id;
  }

  /** Adds the key; true when it was new. */
  add(key: DigestKey): boolean {
    const before = this.n;
    return this.id(key) === before;
  }

  /** The key's id, or -1 when it is not there. */
  find(key: DigestKey): number {
    const d = digestOf(key);
    if (!d) return this.otherId(key, false);
    for (let i = this.home(d); ; i = (i + 1) & this.mask) {
      const id = this.slots[i]!;
      if (id === EMPTY) return -1;
      if (this.equals(id, d)) return id;
    }
  }

  has(key: DigestKey): boolean {
    return this.find(key) >= 0;
  }

  /** The 32 bytes of the digest with this id (a copy), or undefined for another kind of key or an unknown id. */
  digest(id: number): Buffer | undefined {
    if (!(id >= 0 && id < this.n) || this.isOther(id)) return undefined;
    return Buffer.from(this.digests.subarray(id * BYTES, id * BYTES + BYTES));
  }

  private isOther(id: number): boolean {
    return this.otherIds?.has(id) ?? false;
  }

  private otherId(key: DigestKey, create: boolean): number {
    const k = typeof key === 'string' ? `s${key}` : `b${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64')}`;
    const hit = this.other.get(k);
    if (hit !== undefined || !create) return hit ?? -1;
    const id = this.n++;
    this.other.set(k, id);
    (this.otherIds ??= new Set()).add(id);
    this.ensureDigestRoom(id);
    return id;
  }

  private home(d: Uint8Array): number {
    let h = Math.imul(word(d, 0) ^ this.seed, 0x9e3779b1) ^ word(d, 4);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ word(d, 8);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ word(d, 12);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h & this.mask;
  }

  private equals(id: number, d: Uint8Array): boolean {
    const all = this.digests;
    const o = id * BYTES;
    for (let k = 0; k < BYTES; k++) if (all[o + k] !== d[k]) return false;
    return true;
  }

  private store(id: number, d: Uint8Array): void {
    this.ensureDigestRoom(id);
    this.digests.set(d, id * BYTES);
  }

  /** Room in `digests` for the id's 32 bytes (doubled as needed). */
  private ensureDigestRoom(id: number): void {
    if ((id + 1) * BYTES <= this.digests.length) return;
    const more = new Uint8Array(Math.max(this.digests.length * 2, (id + 1) * BYTES));
    more.set(this.digests);
    this.digests = more;
  }

  /** Puts a stored digest's id in its slot (after growth). */
  private place(id: number): void {
    const d = this.digests.subarray(id * BYTES, id * BYTES + BYTES);
    let i = this.home(d);
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = id;
  }

  private grow(): void {
    const count = this.slots.length * 2;
    if (count > MAX_SLOTS) throw new RangeError(`digest-ids: more than ${(MAX_SLOTS / 4) * 3} keys`);
    this.slots = new Int32Array(count).fill(EMPTY);
    this.mask = count - 1;
    for (let id = 0; id < this.n; id++) if (!this.isOther(id)) this.place(id);
  }
}

/** The 32 bytes of a digest key, or undefined when the key is not one. */
function digestOf(key: DigestKey): Uint8Array | undefined {
  if (typeof key !== 'string') return key.length === BYTES ? key : undefined;
  if (key.length !== 44 || key[43] !== '=' || key[42] === '=') return undefined;
  const b = Buffer.from(key, 'base64');
  return b.length === BYTES && b.toString('base64') === key ? b : undefined;
}
