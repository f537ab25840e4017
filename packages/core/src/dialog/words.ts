/*
 * White-space separated words of server text, scanned by index: a parser can
 * look at every word (STARTTLS, AUTH=...) without building a string for it,
 * so a flood of words costs a pass over the text, not an allocation per word.
 */

/** Exactly the characters of a regular expression's `\s` (and of String.prototype.trim). */
export function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The index of the first non-space character at or after `i` (`end` when there is none). */
export function skipSpace(text: string, i: number, end = text.length): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index of the first space character at or after `i` (`end` when there is none): where the word at `i` ends. */
export function wordEnd(text: string, i: number, end = text.length): number {
  while (i < end && !isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Whether `text` has `prefix` (upper-case ASCII) at `at`, ignoring ASCII case,
 * as protocol keywords are compared (RFC 3501, 5321, 2449: case-insensitive ASCII).
 */
export function hasPrefixAt(text: string, at: number, prefix: string): boolean {
  if (text.length < at + prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) {
    const c = text.charCodeAt(at + k);
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/** Whether `text[start, end)` is `word` (upper-case ASCII), ignoring ASCII case. */
export function isWord(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && hasPrefixAt(text, start, word);
}
