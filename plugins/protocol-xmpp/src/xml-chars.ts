import { ProbeError } from '@wildtls/core';

/**
 * Character classes of XML 1.0 (fifth edition) as UTF-16 code-unit tests, and
 * the references an XMPP stream may carry. Surrogates pass as name characters:
 * the fatal UTF-8 decoder only ever yields them in valid pairs.
 */

/** XML's white space (production S): space, tab, CR, LF. */
export function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** A character XML allows anywhere in a document (production Char), as a code unit. */
export function isXmlChar(c: number): boolean {
  return c >= 0x20 ? c < 0xfffe : c === 0x0a || c === 0x09 || c === 0x0d;
}

/** ASCII name characters, looked up in one step: 1 may start a Name, 2 may only continue one. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x3a || c === 0x5f) ASCII_NAME[c] = 1;
  else if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e) ASCII_NAME[c] = 2;
}

export function isNameStartChar(c: number): boolean {
  if (c < 0x80) return ASCII_NAME[c] === 1;
  return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d)
    || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef)
    || (c >= 0x3001 && c <= 0xdfff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd);
}

export function isNameChar(c: number): boolean {
  if (c < 0x80) return ASCII_NAME[c] !== 0;
  return isNameStartChar(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

/** Index just past the XML Name starting at `i` (`i` itself when none starts there). */
export function nameEnd(s: string, i: number): number {
  if (i >= s.length || !isNameStartChar(s.charCodeAt(i))) return i;
  let j = i + 1;
  while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
  return j;
}

export function skipXmlSpace(s: string, i: number): number {
  while (i < s.length && isXmlSpace(s.charCodeAt(i))) i++;
  return i;
}

export function malformedXml(what: string): ProbeError {
  return new ProbeError('protocol-error', 'malformed-reply', `malformed XML: ${what}`);
}

/** Longest reference body we read (`#x0010FFFF` and a few more leading zeros); a longer one is malformed. */
export const MAX_REFERENCE = 16;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * The text of a reference `&body;`: one of XML's five predefined entities or a
 * character reference. Anything else is refused: without a DTD no other entity
 * exists, so nothing is ever expanded.
 */
export function decodeReference(body: string): string {
  if (Object.hasOwn(PREDEFINED, body)) return PREDEFINED[body]!;
  if (body.charCodeAt(0) === 0x23 /* # */) {
    const hex = body.charCodeAt(1) === 0x78 /* x */;
    const digits = body.slice(hex ? 2 : 1);
    const cp = digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
    if (cp <= 0x10ffff && (cp > 0xffff || (isXmlChar(cp) && (cp < 0xd800 || cp > 0xdfff)))) return String.fromCodePoint(cp);
    throw malformedXml(`character reference &${body}; is not an XML character`);
  }
  const printable = body.replace(/[^\x21-\x7e]/g, '?');
  throw nameEnd(body, 0) === body.length && body.length > 0
    ? new ProbeError('protocol-error', 'malformed-reply', `undefined entity &${printable}; (XMPP has no DTD: only XML's five entities exist)`)
    : malformedXml(`malformed reference &${printable};`);
}
