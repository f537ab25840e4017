import { describe, expect, it } from 'vitest';
import { seededInts } from '../../test/tls/differential.js';
import { certificateBase64, parseAlpn, parseAlpnChecked } from './observations.js';

// The reference is the engine's bounds-checked reader (parseAlpnChecked): the in-place reading must
// give the same protocol for every extension it reads, and the same error for every one it does not.
function outcome(f: (b: Buffer) => string, b: Buffer): string {
  try {
    return `ok ${JSON.stringify(f(b))}`;
  } catch (err) {
    return `error ${(err as Error).constructor.name} ${(err as Error).message}`;
  }
}

describe('parseAlpn', () => {
  it('reads a server\'s ALPN extension as the checked reader does, and fails the same way where that fails (seeded)', () => {
    const rnd = seededInts(0x1f2e3d4c);
    const names = ['h2', 'http/1.1', '', 'x'.repeat(255), 'caf\u00e9', 'imap'];
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < 5000; i++) {
      const name = Buffer.from(names[rnd(names.length)]!, 'utf8').subarray(0, 255);
      const entry = Buffer.concat([Buffer.from([name.length]), name]);
      const list = rnd(4) === 0 ? Buffer.concat([entry, entry]) : entry;
      let b = Buffer.concat([Buffer.from([list.length >> 8, list.length & 0xff]), list]);
      switch (rnd(6)) {
        case 0: b = b.subarray(0, rnd(b.length + 1)); break; // cut short
        case 1: b = Buffer.concat([b, Buffer.alloc(1 + rnd(3), 0x41)]); break; // trailing bytes
        case 2: b = Buffer.from(b); b[rnd(Math.min(3, b.length))] = rnd(256); break; // a length byte changed
        default: break;
      }
      const want = outcome(parseAlpnChecked, b);
      expect(outcome(parseAlpn, b)).toBe(want);
      if (want.startsWith('ok')) ok++;
      else failed++;
    }
    expect(ok).toBeGreaterThan(1000);
    expect(failed).toBeGreaterThan(300);
  });
});

// Each text is checked by decoding it back: the bytes it stands for must be the DER given, whatever
// the cache holds.
describe('certificateBase64', () => {
  const decoded = (der: Buffer) => Buffer.from(certificateBase64(der), 'base64');

  it('gives each certificate its own bytes, the same again on a hit', () => {
    const a = Buffer.alloc(900, 0x30);
    const b = Buffer.from(a);
    b[899] = 0x31; // same length, same prefix: only the last byte differs
    expect(decoded(a)).toEqual(a);
    expect(decoded(b)).toEqual(b);
    expect(decoded(a)).toEqual(a);
    expect(certificateBase64(Buffer.from(a))).toBe(certificateBase64(a));
  });

  it('keeps its own copy: a buffer written after it was seen is read as it is now', () => {
    const c = Buffer.alloc(700, 0x41);
    expect(decoded(c)).toEqual(Buffer.alloc(700, 0x41));
    c[0] = 0x42;
    expect(decoded(c)).toEqual(c);
    expect(decoded(Buffer.alloc(700, 0x41))).toEqual(Buffer.alloc(700, 0x41));
  });

  it('stays right past its bound (many certificates, large ones)', () => {
    const certs = Array.from({ length: 40 }, (_, i) => Buffer.alloc(500 + (i % 3), i));
    for (let round = 0; round < 2; round++) for (const c of certs) expect(decoded(c)).toEqual(c);
    const big = Buffer.alloc(20_000, 7);
    expect(decoded(big)).toEqual(big);
  });
});
