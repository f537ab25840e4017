/** Dotted quad of 4 bytes at `at`. */
function dottedQuad(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/**
 * The texts of recently seen IPv4 addresses, direct-mapped by a hash of the address (a slot holds the
 * last address that hashed there, compared whole before its text is used): every packet names two
 * addresses, a capture few distinct ones at a time, so most packets build no string.
 */
const V4_SLOTS = 256;
const v4Address = new Float64Array(V4_SLOTS).fill(-1);
const v4Text: string[] = new Array<string>(V4_SLOTS).fill('');

/** The IPv4 address of 4 bytes at `at`, as an unsigned 32-bit number. */
export function ipv4At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Dotted quad of the 4 bytes at `at`, whose number (ipv4At) is `address` (the same string object for an address seen recently). */
export function ipv4Text(address: number, b: Uint8Array, at: number): string {
  const slot = Math.imul(address, 0x9e3779b1) >>> 24;
  if (v4Address[slot] === address) return v4Text[slot]!;
  const text = dottedQuad(b, at);
  v4Address[slot] = address;
  v4Text[slot] = text;
  return text;
}

/** RFC 5952 text of 16 bytes at `at`: lower-case hex, the longest run (2+ groups) of zero groups as '::'. */
export function ipv6Text(b: Uint8Array, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped addresses keep their dotted quad (::ffff:192.0.2.1), as Node prints them.
  if (best === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${dottedQuad(b, at + 12)}`;
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}
