import { ProbeError } from '@wildtls/core';

export interface StatusLine {
  version: string;
  status: number;
  reason: string;
}

/** `HTTP/1.1 200 OK` (RFC 9112 section 4); the reason phrase may be empty. */
export function parseStatusLine(line: string): StatusLine {
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(line);
  if (!m) throw new ProbeError('protocol-error', 'malformed-reply', 'not an HTTP status line');
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '' };
}

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  value: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parse header lines (without the blank line that ends them). Obsolete line
 * folding (a line starting with space or tab) continues the previous value.
 */
export function parseHeaders(lines: string[]): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      fields[fields.length - 1]!.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new ProbeError('protocol-error', 'malformed-reply', 'malformed HTTP header line');
    fields.push({ name: name.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** The first value of a header field, if present. */
export function firstHeader(fields: HeaderField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}
