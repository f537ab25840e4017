import { randomBytes } from 'node:crypto';

const POOL_BYTES = 16 * 1024;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `n` bytes from the CSPRNG, taken from a pool filled 16 KiB at a time: one
 * randomBytes call costs about 5 µs whatever its size, a quarter of an
 * observe-only handshake. Each byte is handed out once; a refill allocates a
 * new pool, so bytes already handed out never change.
 */
export function randomFromPool(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomBytes(n);
  if (used + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}
