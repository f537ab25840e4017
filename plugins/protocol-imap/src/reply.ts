import { ProbeError, type CapabilityView } from '@wildtls/core';

/** One IMAP response line, classified (RFC 3501 §2.2.2, §7). */
export type UntaggedStatus = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

export type ImapLine =
  | { kind: 'untagged'; status?: UntaggedStatus; text: string }
  | { kind: 'continuation'; text: string }
  | { kind: 'tagged'; tag: string; status: 'OK' | 'NO' | 'BAD'; text: string };

// Only anchored, fixed-length patterns here (a status word and one separator);
// everything longer is scanned by hand, so a hostile line costs time linear in
// its length (the former `\s+([^\]]*)` code pattern cost ~230 ms per 8 KiB of spaces).
const STATUS = /^(OK|NO|BAD|BYE|PREAUTH)(?:\s|$)/i;
const TAGGED = /^(OK|NO|BAD)(?:\s|$)/i;

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
    const m = TAGGED.exec(rest);
    if (m) return { kind: 'tagged', tag, status: m[1]!.toUpperCase() as 'OK' | 'NO' | 'BAD', text: rest };
  }
  return undefined;
}

/**
 * The atoms of a `[CAPABILITY ...]` response code in a status response, if it
 * carries one: a status word, white space, `[CAPABILITY`, then `]` or white
 * space and everything up to the first `]`.
 */
export function capabilityCode(text: string): string[] | undefined {
  const status = STATUS.exec(text);
  if (!status) return undefined;
  const afterWord = status[1]!.length;
  let i = skipSpace(text, afterWord);
  if (i === afterWord || text.charCodeAt(i) !== 0x5b /* [ */ || !hasWordAt(text, i + 1, 'CAPABILITY')) return undefined;
  i += 1 + 'CAPABILITY'.length;
  if (text.charCodeAt(i) === 0x5d /* ] */) return [];
  if (!isSpace(text.charCodeAt(i))) return undefined;
  const end = text.indexOf(']', i);
  return end < 0 ? undefined : atoms(text.slice(i, end));
}

/** The atoms of an untagged `CAPABILITY ...` response, if this is one. */
export function capabilityData(text: string): string[] | undefined {
  if (!hasWordAt(text, 0, 'CAPABILITY')) return undefined;
  const i = 'CAPABILITY'.length;
  if (text.length === i) return [];
  if (!isSpace(text.charCodeAt(i))) return undefined;
  const rest = text.slice(skipSpace(text, i));
  // As before: a line break character inside the atoms (a bare CR) makes it no CAPABILITY response.
  return LINE_BREAK.test(rest) ? undefined : atoms(rest);
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;

function atoms(s: string): string[] {
  return s.split(/\s+/).filter((a) => a.length > 0);
}

/** `word` (upper-case ASCII) at `at`, compared as a case-insensitive regular expression would. */
function hasWordAt(text: string, at: number, word: string): boolean {
  if (text.length < at + word.length) return false;
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(at + k);
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Exactly the characters of a regular expression's `\s`. */
function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Capabilities as the server listed them (raw atoms, server order), the SASL
 * mechanisms from AUTH=... atoms (upper-cased, de-duplicated, in order), and
 * whether STARTTLS is offered. LOGINDISABLED stays a capability entry.
 */
export function parseImapCapabilities(caps: string[]): CapabilityView {
  // A Set keeps the de-duplication linear however many AUTH= atoms a server sends.
  const sasl = new Set<string>();
  let startTls = false;
  for (const c of caps) {
    const u = c.toUpperCase();
    if (u === 'STARTTLS') startTls = true;
    else if (u.startsWith('AUTH=') && u.length > 5) sasl.add(u.slice(5));
  }
  return { capabilities: [...caps], sasl: [...sasl], startTls };
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
