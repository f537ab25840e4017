import {
  CappedList,
  MAX_CAPABILITIES,
  MAX_SASL_MECHANISMS,
  ProbeError,
  cappedView,
  hasPrefixAt,
  isSpace,
  isWord,
  mechanismName,
  skipSpace,
  wordEnd,
  type CapabilityView,
} from '@wildtls/core';

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
 * carries one, as one text: a status word, white space, `[CAPABILITY`, then
 * `]` or white space and everything up to the first `]` (parseImapCapabilities
 * reads its atoms).
 */
export function capabilityCode(text: string): string | undefined {
  const status = STATUS.exec(text);
  if (!status) return undefined;
  const afterWord = status[1]!.length;
  let i = skipSpace(text, afterWord);
  if (i === afterWord || text.charCodeAt(i) !== 0x5b /* [ */ || !hasPrefixAt(text, i + 1, 'CAPABILITY')) return undefined;
  i += 1 + 'CAPABILITY'.length;
  if (text.charCodeAt(i) === 0x5d /* ] */) return '';
  if (!isSpace(text.charCodeAt(i))) return undefined;
  const end = text.indexOf(']', i);
  return end < 0 ? undefined : text.slice(i, end);
}

/** The atoms of an untagged `CAPABILITY ...` response, as one text, if this is one. */
export function capabilityData(text: string): string | undefined {
  if (!hasPrefixAt(text, 0, 'CAPABILITY')) return undefined;
  const i = 'CAPABILITY'.length;
  if (text.length === i) return '';
  if (!isSpace(text.charCodeAt(i))) return undefined;
  const rest = text.slice(skipSpace(text, i));
  // As before: a line break character inside the atoms (a bare CR) makes it no CAPABILITY response.
  return LINE_BREAK.test(rest) ? undefined : rest;
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * Capabilities as the server listed them (raw atoms, server order), the SASL
 * mechanisms from AUTH=... atoms (upper-cased, de-duplicated, in order), and
 * whether STARTTLS is offered, from texts of white-space separated atoms (as
 * capabilityTexts returns them, or one atom each). LOGINDISABLED stays a
 * capability entry. Every atom is looked at, but past the record's caps
 * (MAX_CAPABILITIES, MAX_SASL_MECHANISMS) atoms are only counted, never built.
 */
export function parseImapCapabilities(texts: readonly string[]): CapabilityView {
  const caps = new CappedList(MAX_CAPABILITIES);
  const sasl = new CappedList(MAX_SASL_MECHANISMS, true);
  let startTls = false;
  for (const text of texts) {
    for (let i = skipSpace(text, 0); i < text.length; i = skipSpace(text, i)) {
      const e = wordEnd(text, i);
      if (caps.full) caps.skip();
      else caps.add(text.slice(i, e));
      if (isWord(text, i, e, 'STARTTLS')) startTls = true;
      else if (e - i > 5 && hasPrefixAt(text, i, 'AUTH=')) {
        if (sasl.full) sasl.skip();
        else sasl.add(mechanismName(text.slice(i + 5, e)));
      }
      i = e;
    }
  }
  return cappedView(caps, sasl, startTls);
}

/**
 * The capability texts of response lines: the atoms of each untagged
 * CAPABILITY response when there is one, else those of a [CAPABILITY ...]
 * response code of a status response (the greeting, or a tagged OK). One
 * text per response, for parseImapCapabilities.
 */
export function capabilityTexts(lines: string[], tag?: string): string[] {
  const data: string[] = [];
  let code: string | undefined;
  for (const line of lines) {
    const c = classifyLine(line, tag);
    if (!c || c.kind === 'continuation') continue;
    if (c.kind === 'untagged' && !c.status) {
      const d = capabilityData(c.text);
      if (d !== undefined) data.push(d);
    } else {
      code ??= capabilityCode(c.text);
    }
  }
  return data.length > 0 ? data : code !== undefined ? [code] : [];
}

export function isLoginDisabled(caps: string[]): boolean {
  return caps.some((c) => c.toUpperCase() === 'LOGINDISABLED');
}

/** A server that answered something no IMAP server should. */
export function malformed(what: string, line: string): ProbeError {
  return new ProbeError('protocol-error', 'malformed-reply', `${what}: ${JSON.stringify(line.slice(0, 120))}`);
}
