import type { Connection, ReadLimits } from '../net/connection.js';

export interface ReplyLimits extends ReadLimits {
  /** Cap on the number of lines of one reply (a never-ending multi-line reply is an error). */
  maxLines?: number;
}

/**
 * Read lines until `isLast(line)` says the reply is complete. Each line has its
 * own deadline and byte cap; the reply has a line cap. Lines already buffered
 * are taken without a wait: a reply that arrives in one read costs one.
 * `isLast` is also given the reply's lines so far (`line` last): a check that
 * needs the first line reads it there, and one function serves every reply.
 */
export function readReply(
  conn: Connection,
  isLast: (line: string, index: number, lines: readonly string[]) => boolean,
  limits: ReplyLimits = {},
): Promise<string[]> {
  // One read on the connection (Connection.readLines): one async frame per reply, however many lines.
  return conn.readLines(isLast, limits.maxLines ?? 256, limits);
}

/** Printable form of untrusted text for a record: control bytes escaped, bounded. */
export function sanitize(text: string, maxLength = 2048): string {
  // Escaping only lengthens text, so the first maxLength + 1 characters decide the
  // result: the cost is bounded by the output, not by what the server sent.
  const head = text.length > maxLength + 1 ? text.slice(0, maxLength + 1) : text;
  // eslint-disable-next-line no-control-regex -- finding control bytes is the point: they are escaped
  const clean = hasControl(head) ? head.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : head;
  return clean.length > maxLength ? clean.slice(0, maxLength) + '…' : clean;
}

/** Whether sanitize has anything to escape (a plain loop: several times cheaper than a replace that finds nothing). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a : c >= 0x7f && c <= 0x9f) return true;
  }
  return false;
}
