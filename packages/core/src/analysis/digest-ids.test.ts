import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestIds } from './digest-ids.js';

const sha = (s: string) => createHash('sha256').update(s).digest();

describe('DigestIds', () => {
  it('gives consecutive ids, the same id again for the same digest, through growth to 300,000 keys', () => {
    const t = new DigestIds(7);
    const n = 300_000;
    for (let i = 0; i < n; i++) expect(t.id(sha(`k${i}`))).toBe(i);
    expect(t.size).toBe(n);
    for (let i = 0; i < n; i += 97) expect(t.id(sha(`k${i}`))).toBe(i);
    for (let i = 0; i < n; i += 101) expect(t.find(sha(`k${i}`))).toBe(i);
    for (let i = 0; i < 1000; i++) expect(t.find(sha(`absent${i}`))).toBe(-1);
    expect(t.size).toBe(n);
    expect(t.digest(12_345)).toEqual(sha('k12345'));
  });

  it('tells apart digests that share their first 16 bytes (one home slot), whatever the seed', () => {
    for (const seed of [0, 1, 0xffffffff]) {
      const t = new DigestIds(seed);
      const keys = Array.from({ length: 2000 }, (_, i) => {
        const d = Buffer.alloc(32, 0xab);
        d.writeUInt32LE(i, 28); // only the last bytes differ
        return d;
      });
      keys.forEach((k, i) => expect(t.id(k)).toBe(i));
      keys.forEach((k, i) => expect(t.find(k)).toBe(i));
      const near = Buffer.alloc(32, 0xab);
      near.writeUInt32LE(5000, 28);
      expect(t.find(near)).toBe(-1);
      expect(t.digest(1999)).toEqual(keys[1999]);
    }
  });

  it('takes a digest as bytes or as its base64 text, one key either way', () => {
    const t = new DigestIds();
    const d = sha('x');
    const b64 = d.toString('base64');
    expect(t.id(b64)).toBe(0);
    expect(t.id(d)).toBe(0);
    expect(t.id(new Uint8Array(d))).toBe(0);
    expect(t.add(d)).toBe(false);
    expect(t.add(sha('y').toString('base64'))).toBe(true);
    expect(t.digest(1)).toEqual(sha('y'));
  });

  it('keeps other keys (other lengths, non-canonical or non-base64 text) apart, in the same id sequence', () => {
    const t = new DigestIds();
    const d = sha('z');
    const b64 = d.toString('base64');
    // The last base64 character before '=' carries two unused bits: this text decodes to the same bytes but is another string.
    const last = b64[42]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const nonCanonical = b64.slice(0, 42) + alphabet[alphabet.indexOf(last) ^ 1] + '=';
    expect(Buffer.from(nonCanonical, 'base64')).toEqual(d);
    expect(t.id(b64)).toBe(0);
    expect(t.id(nonCanonical)).toBe(1);
    expect(t.id('my own id')).toBe(2);
    expect(t.id(Buffer.from('short'))).toBe(3);
    expect(t.id('short')).toBe(4); // text and bytes are different keys
    expect(t.id(sha('w').subarray(0, 31))).toBe(5);
    expect(t.id('my own id')).toBe(2);
    expect(t.id(nonCanonical)).toBe(1);
    expect(t.find('never')).toBe(-1);
    expect(t.digest(2)).toBeUndefined();
    expect(t.digest(0)).toEqual(d);
    // Growth past other keys keeps both kinds.
    for (let i = 0; i < 5000; i++) t.id(sha(`g${i}`));
    expect(t.find(b64)).toBe(0);
    expect(t.find('my own id')).toBe(2);
    expect(t.find(sha('g4999'))).toBe(6 + 4999);
  });

  it('holds 3 million digests in typed arrays (a fraction of a Map of their base64)', () => {
    const t = new DigestIds();
    const d = Buffer.alloc(32);
    for (let i = 0; i < 3_000_000; i++) {
      d.writeUInt32LE(i, 0);
      d.writeUInt32LE(i * 7, 16);
      if (t.id(d) !== i) throw new Error(`id ${i}`); // (an expect per key is slower than the table)
    }
    expect(t.size).toBe(3_000_000);
    d.writeUInt32LE(1_234_567, 0);
    d.writeUInt32LE(1_234_567 * 7, 16);
    expect(t.find(d)).toBe(1_234_567);
    expect(t.digest(2_999_999)!.readUInt32LE(0)).toBe(2_999_999);
  });
});
