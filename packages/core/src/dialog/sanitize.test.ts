import { describe, expect, it } from 'vitest';
import { sanitize } from './read-reply.js';

/** sanitize reads at most maxLength + 1 characters of what a server sent; the result is the same as escaping it all. */
describe('sanitize', () => {
  it('escapes control bytes and C1 controls, keeps tab, LF and printable Latin-1', () => {
    expect(sanitize('a\x00b\tc\nd\re\x1bf\x7fg\x85hé')).toBe('a\\x00b\tc\nd\\x0de\\x1bf\\x7fg\\x85hé');
  });

  it('bounds the result at maxLength characters plus an ellipsis, escapes counted', () => {
    expect(sanitize('x'.repeat(10), 10)).toBe('x'.repeat(10));
    expect(sanitize('x'.repeat(11), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(sanitize('\x01'.repeat(3), 10)).toBe('\\x01\\x01\\x…');
    expect(sanitize(`${'x'.repeat(9)}\x01`, 10)).toBe(`${'x'.repeat(9)}\\…`);
  });

  it('a megabyte of text: the first 2,048 characters (escaped) and an ellipsis', () => {
    const big = `\x02${'y'.repeat(1 << 20)}`;
    expect(sanitize(big)).toBe(`\\x02${'y'.repeat(2044)}…`);
    expect(sanitize('z'.repeat(1 << 20), 512)).toBe(`${'z'.repeat(512)}…`);
  });
});
