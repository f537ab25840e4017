/**
 * JSON text that is safe on a terminal too: JSON.stringify escapes C0
 * characters but leaves DEL, C1 controls and bidi overrides raw; these become
 * \u escapes (the same string to any JSON parser).
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
