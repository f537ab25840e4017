import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { StringSpill } from './string-spill.js';

const spillDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('wildtls-chains-'));

describe('StringSpill', () => {
  it('gives back every chain as put, from the buffer and from the file (several megabytes written), in any order', () => {
    const s = new StringSpill('chains');
    const chains: string[][] = [];
    for (let i = 0; i < 3000; i++) {
      // Base64-like certificates of 1-3 KB, some odd strings a hostile record could carry (commas, non-ASCII, empty).
      const n = 1 + (i % 3);
      const chain = Array.from({ length: n }, (_, k) => `${String(i).padStart(6, '0')}:${k}:` + 'QUJD'.repeat(200 + ((i * 7 + k) % 400)));
      if (i % 97 === 0) chain.push('a,b', 'ü€', '');
      chains.push(chain);
      expect(s.put(chain)).toBe(i);
    }
    expect(s.size).toBe(3000);
    for (let i = chains.length - 1; i >= 0; i -= 7) expect(s.get(i)).toEqual(chains[i]);
    for (let i = 0; i < chains.length; i++) expect(s.get(i)).toEqual(chains[i]);
    s.close();
    expect(() => s.get(0)).toThrow(RangeError);
  });

  it('keeps a chain larger than its buffer, and an empty chain', () => {
    const s = new StringSpill('chains');
    const big = ['x'.repeat(3 << 20), 'y'];
    expect(s.put(['a'])).toBe(0);
    expect(s.put(big)).toBe(1);
    expect(s.put([])).toBe(2);
    expect(s.get(1)).toEqual(big);
    expect(s.get(0)).toEqual(['a']);
    expect(s.get(2)).toEqual([]);
    expect(() => s.get(3)).toThrow(RangeError);
    s.close();
  });

  it('leaves no file or folder behind in the temporary directory', () => {
    const before = spillDirs().length;
    const s = new StringSpill('chains');
    for (let i = 0; i < 1000; i++) s.put(['Q'.repeat(2000)]);
    expect(spillDirs().length).toBe(before);
    expect(s.get(999)).toEqual(['Q'.repeat(2000)]);
    s.close();
  });
});
