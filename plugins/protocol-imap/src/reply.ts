import { ProbeError, type CapabilityView } from '@wildtls/core';

/** One IMAP response line, classified (RFC 3501 §2.2.2, §7). */
export type UntaggedStatus = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

export type ImapLine =
  | { kind: 'untagged'; status?: UntaggedStatus; text: string }
  | { kind: 'continuation'; text: string }
  | { kind: 'tagged'; tag: string; status: 'OK' | 'NO' | 'BAD'; text: string };

const STATUS = /^(OK|NO|BAD|BYE|PREAUTH)(?:\s|$)/i;

/** Classify one line; `tag` is the tag of the command in flight. Returns undefined for lines that fit nothing. */
export function classifyLine(line: string, tag?: string): ImapLine | undefined {
  if (line.startsWith('* ')) {
    const text = line.slice(2);
    const m = STATUS.exec(text);
    return m ? { kind: 'untagged', status: m[1]!.toUpperCase() as UntaggedStatus, text } : { kind: 'untagged', text };
  }
  if (line === '+' || line.startsWith('+ ')) return { kind: 'continuation', text: line.slice(2) };
  if (tag && line.length > tag.length && line.slice(0, tag.length + 1).toUpperCase() === `${tag} `.toUpperCase()) {
    const rest = line.slice(tag.length + 1);
    const m = /^(OK|NO|BAD)(?:\s|$)/i.exec(rest);
    if (m) return { kind: 'tagged', tag, status: m[1]!.toUpperCase() as 'OK' | 'NO' | 'BAD', text: rest };
  }
  return undefined;
}

/** The atoms of a `[CAPABILITY ...]` response code in a status response, if it carries one. */
export function capabilityCode(text: string): string[] | undefined {
  const m = /^(?:OK|NO|BAD|BYE|PREAUTH)\s+\[CAPABILITY(?:\s+([^\]]*))?\]/i.exec(text);
  return m ? atoms(m[1] ?? '') : undefined;
}

/** The atoms of an untagged `CAPABILITY ...` response, if this is one. */
export function capabilityData(text: string): string[] | undefined {
  const m = /^CAPABILITY(?:\s+(.*))?$/i.exec(text);
  return m ? atoms(m[1] ?? '') : undefined;
}

function atoms(s: string): string[] {
  return s.split(/\s+/).filter((a) => a.length > 0);
}

/**
 * Capabilities as the server listed them (raw atoms, server order), the SASL
 * mechanisms from AUTH=... atoms (upper-cased, de-duplicated, in order), and
 * whether STARTTLS is offered. LOGINDISABLED stays a capability entry.
 */
export function parseImapCapabilities(caps: string[]): CapabilityView {
  const sasl: string[] = [];
  let startTls = false;
  for (const c of caps) {
    const u = c.toUpperCase();
    if (u === 'STARTTLS') startTls = true;
    else if (u.startsWith('AUTH=') && u.length > 5 && !sasl.includes(u.slice(5))) sasl.push(u.slice(5));
  }
  return { capabilities: [...caps], sasl, startTls };
}

/**
 * Collect the capability atoms from response lines: untagged CAPABILITY data
 * when present, else a [CAPABILITY ...] response code of a status response
 * (the greeting, or a tagged OK).
 */
export function capabilitiesFromReply(lines: string[], tag?: string): string[] {
  const data: string[] = [];
  let code: string[] | undefined;
  let seen = false;
  for (const line of lines) {
    const c = classifyLine(line, tag);
    if (!c || c.kind === 'continuation') continue;
    if (c.kind === 'untagged' && !c.status) {
      const d = capabilityData(c.text);
      if (d) {
        seen = true;
        data.push(...d);
      }
    } else {
      code ??= capabilityCode(c.text);
    }
  }
  return seen ? data : code ?? [];
}

export function isLoginDisabled(caps: string[]): boolean {
  return caps.some((c) => c.toUpperCase() === 'LOGINDISABLED');
}

/** A server that answered something no IMAP server should. */
export function malformed(what: string, line: string): ProbeError {
  return new ProbeError('protocol-error', 'malformed-reply', `${what}: ${JSON.stringify(line.slice(0, 120))}`);
}
