/** Numeric IPv4 helpers for the hot paths (permutation, blocklist): an address is a uint32 held in a number. */

/** Parse dotted-quad IPv4 into a uint32; undefined when the text is not exactly that. */
export function ipv4ToInt(text: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros (they are octal to some parsers).
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return n * 256 + part;
}

export function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** First and last address of an IPv4 prefix, as numbers. */
export function ipv4Bounds(base: number, bits: number): [number, number] {
  const size = 2 ** (32 - bits);
  const lo = base - (base % size);
  return [lo, lo + size - 1];
}
