/**
 * RC4 (ARCFOUR) in TypeScript. Node 20's default OpenSSL provider has no RC4
 * (only the legacy provider, which a process can load only at start), so the
 * engine carries its own: a 256-byte state and two indices, about twenty lines.
 * Checked against RFC 6229 and against OpenSSL's legacy-provider RC4 in
 * rc4.test.ts; bench/rc4.mjs measures both.
 */
export class Rc4 {
  // Fields declared and set in the constructor in this order: no <instance_members_initializer> per cipher.
  private declare readonly s: Uint8Array;
  private declare i: number;
  private declare j: number;

  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 256) throw new RangeError('RC4 key must be 1 to 256 bytes');
    const s = new Uint8Array(256);
    this.s = s;
    this.i = 0;
    this.j = 0;
    for (let k = 0; k < 256; k++) s[k] = k;
    for (let k = 0, j = 0; k < 256; k++) {
      const t = s[k]!;
      j = (j + t + key[k % key.length]!) & 255;
      s[k] = s[j]!;
      s[j] = t;
    }
  }

  /** XOR the next `input.length` keystream bytes into `input`, written to `out` (may be `input` itself). */
  update(input: Uint8Array, out: Uint8Array = new Uint8Array(input.length)): Uint8Array {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    const n = input.length;
    for (let k = 0; k < n; k++) {
      i = (i + 1) & 255;
      const si = s[i]!;
      j = (j + si) & 255;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      out[k] = input[k]! ^ s[(si + sj) & 255]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}
