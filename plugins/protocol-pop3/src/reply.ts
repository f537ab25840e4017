import { ProbeError, sanitize, type CapabilityView } from '@wildtls/core';

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
 * (upper-cased, de-duplicated, in order), and whether STLS is offered.
 */
export function parseCapa(body: string[]): CapabilityView {
  const capabilities: string[] = [];
  // A Set keeps the de-duplication linear however many SASL mechanisms a server lists.
  const sasl = new Set<string>();
  let startTls = false;
  for (const raw of body) {
    const line = raw.trim();
    if (line === '') continue;
    capabilities.push(line);
    const [name, ...args] = line.split(/\s+/);
    const u = name!.toUpperCase();
    if (u === 'STLS') startTls = true;
    else if (u === 'SASL') for (const m of args) sasl.add(m.toUpperCase());
  }
  return { capabilities, sasl: [...sasl], startTls };
}
