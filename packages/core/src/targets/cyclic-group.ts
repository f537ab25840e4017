/**
 * The zmap construction: to visit 0..n-1 in a pseudo-random order without
 * remembering anything, take the smallest prime p > n and a generator g of
 * the multiplicative group (Z/pZ)*. Starting from x0, the sequence
 * x0, x0·g, x0·g², ... visits every element of 1..p-1 exactly once before it
 * cycles; x-1 is an index, and indices >= n are skipped.
 *
 * Everything here stays in doubles: a product is split into chunks so that no
 * intermediate exceeds 2^53 (p < 2^40 is supported).
 */
export const MAX_GROUP_SIZE = 2 ** 40;

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** Smallest prime strictly greater than n. */
export function primeAbove(n: number): number {
  let p = Math.max(2, Math.floor(n) + 1);
  while (!isPrime(p)) p++;
  return p;
}

export function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let d = 2; d * d <= n; d += d === 2 ? 1 : 2) {
    if (n % d === 0) {
      out.push(d);
      while (n % d === 0) n /= d;
    }
  }
  if (n > 1) out.push(n);
  return out;
}

/** A fixed multiplier modulo p, pre-split so multiplication never loses precision. */
export class MulMod {
  private readonly chunkBits: number;
  private readonly scale: number;
  private readonly chunks: number[];
  private readonly direct: boolean;

  constructor(readonly factor: number, readonly p: number) {
    const bits = Math.ceil(Math.log2(p + 1));
    this.direct = bits <= 26;
    this.chunkBits = Math.max(1, 52 - bits);
    this.scale = 2 ** this.chunkBits;
    this.chunks = [];
    let f = factor;
    do {
      this.chunks.unshift(f % this.scale);
      f = Math.floor(f / this.scale);
    } while (f > 0);
  }

  /** x · factor mod p, for 0 <= x < p. */
  apply(x: number): number {
    if (this.direct) return (x * this.factor) % this.p;
    const c = this.chunks;
    const p = this.p;
    let r = (x * c[0]!) % p;
    for (let i = 1; i < c.length; i++) r = (r * this.scale + x * c[i]!) % p;
    return r;
  }
}

export function mulmod(a: number, b: number, p: number): number {
  return new MulMod(b, p).apply(a % p);
}

export function powmod(base: number, exp: number, p: number): number {
  let result = 1 % p;
  let b = base % p;
  let e = exp;
  while (e > 0) {
    if (e % 2 === 1) result = mulmod(result, b, p);
    b = mulmod(b, b, p);
    e = Math.floor(e / 2);
  }
  return result;
}

/** A small deterministic PRNG (splitmix32 variant) so a seed fixes generator and start. */
export function seededRandom(seed: number): () => number {
  let s = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 2 ** 32;
  };
}

export interface CyclicGroup {
  /** Number of indices permuted. */
  size: number;
  prime: number;
  generator: number;
  /** The first element of the cycle (1..p-1). */
  start: number;
}

/** Choose prime, generator and start for a range of `size` indices from a seed. */
export function cyclicGroup(size: number, seed: number): CyclicGroup {
  if (!Number.isSafeInteger(size) || size < 0 || size >= MAX_GROUP_SIZE) {
    throw new RangeError(`cannot permute ${size} targets (at most 2^40 per scan)`);
  }
  const prime = primeAbove(size);
  const rand = seededRandom(seed);
  if (prime <= 3) return { size, prime, generator: prime - 1, start: 1 + Math.floor(rand() * (prime - 1)) };
  const order = prime - 1;
  const factors = primeFactors(order);
  let generator = 0;
  for (;;) {
    const g = 2 + Math.floor(rand() * (prime - 3));
    if (factors.every((q) => powmod(g, order / q, prime) !== 1)) {
      generator = g;
      break;
    }
  }
  return { size, prime, generator, start: 1 + Math.floor(rand() * order) };
}
