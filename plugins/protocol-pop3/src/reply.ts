import {
  CappedList,
  MAX_CAPABILITIES,
  MAX_SASL_MECHANISMS,
  ProbeError,
  addMechanismWords,
  cappedView,
  isWord,
  sanitize,
  wordEnd,
  type CapabilityView,
} from '@wildtls/core';

/** True for a positive status line (RFC 1939 §3: "+OK", case-sensitive in the RFC, compared leniently). */
export function isOk(line: string): boolean {
  return /^\+OK(?:\s|$)/i.test(line);
}

export function isErr(line: string): boolean {
  return /^-ERR(?:\s|$)/i.test(line);
}

/** A single-line status reply: +OK or -ERR, anything else is malformed. */
export function checkStatusLine(what: string, line: string): 'ok' | 'err' {
  if (isOk(line)) return 'ok';
  if (isErr(line)) return 'err';
  throw new ProbeError('protocol-error', 'malformed-reply', `${what}: not a POP3 status line: ${JSON.stringify(sanitize(line, 120))}`);
}

/** Remove the byte-stuffing of a multi-line response line (RFC 1939 §3). */
export function unstuff(line: string): string {
  return line.startsWith('.') ? line.slice(1) : line;
}

/**
 * Parse the body of a CAPA reply (RFC 2449), the lines between "+OK" and ".":
 * raw capability lines in server order, SASL mechanisms from SASL lines
 * (upper-cased, de-duplicated, in order), and whether STLS is offered. Every
 * line and word is looked at, but past the record's caps (MAX_CAPABILITIES,
 * MAX_SASL_MECHANISMS) they are only counted.
 */
export function parseCapa(body: string[]): CapabilityView {
  const capabilities = new CappedList(MAX_CAPABILITIES);
  const sasl = new CappedList(MAX_SASL_MECHANISMS, true);
  let startTls = false;
  for (const line of body) {
    // (trimStart: a native scan, several times faster than a loop over a line of 8 KiB of spaces; it is the same \s set.)
    const k = line.length - line.trimStart().length;
    if (k === line.length) continue;
    if (capabilities.full) capabilities.skip();
    else capabilities.add(line.trim());
    const e = wordEnd(line, k);
    if (isWord(line, k, e, 'STLS')) startTls = true;
    else if (isWord(line, k, e, 'SASL')) addMechanismWords(sasl, line, e);
  }
  return cappedView(capabilities, sasl, startTls);
}
