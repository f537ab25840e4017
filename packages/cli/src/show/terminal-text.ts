/**
 * A server-controlled string made safe for a terminal: C0 and C1 control
 * characters, DEL, line and paragraph separators and bidirectional overrides
 * are shown as escapes, so a subject or banner can neither move the cursor,
 * change colours, start a line of its own nor reorder what is shown.
 */
export function terminalSafe(s: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point: they are escaped
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text that is safe on a terminal too: JSON.stringify escapes C0
 * characters but leaves DEL, C1 controls and bidi overrides raw; these become
 * \u escapes (the same string to any JSON parser).
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
