/**
 * For tests that hold a fast reader to the engine's bounds-checked one (the reference): the same
 * fields for every input the fast one reads, the same failure for every one it does not.
 */
import { TlsFailure } from '../../src/tls/tls-failure.js';

/** Byte builders of TLS's length-prefixed vectors. */
export const u16 = (v: number): number[] => [v >> 8, v & 0xff];
export const vec8 = (b: number[]): number[] => [b.length, ...b];
export const vec16 = (b: number[]): number[] => [...u16(b.length), ...b];

/** What a reader made of `b`: `fields` of its result, or its TlsFailure's message, message type and offset. */
export function readerOutcome<T>(parse: (b: Buffer) => T, b: Buffer, fields: (v: T) => unknown): unknown {
  try {
    return fields(parse(b));
  } catch (err) {
    if (!(err instanceof TlsFailure)) throw err;
    return { error: err.message, messageType: err.messageType, offset: err.offset };
  }
}

/** A seeded generator of integers below n (a linear congruential one): every failure reproducible from its seed. */
export function seededInts(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}
