import {
  MAX_CAPABILITIES,
  MAX_SASL_MECHANISMS,
  ProbeError,
  hasPrefixAt,
  isWord,
  mechanismName,
  sanitize,
  skipSpace,
  wordEnd,
  type CapabilityView,
} from '@wildtls/core';

/**
 * SMTP replies (RFC 5321 section 4.2): every line starts with a three-digit
 * code; `250-text` continues a multi-line reply, `250 text` (or a bare `250`)
 * ends it, and all lines of one reply carry the same code.
 */
export interface SmtpReply {
  code: number;
  /** Text after the code and separator, one entry per line. */
  texts: string[];
  /** The lines as received (CR/LF stripped). */
  lines: string[];
}

function malformed(message: string): ProbeError {
  return new ProbeError('protocol-error', 'malformed-reply', message);
}

/**
 * The code of an SMTP reply line (`[2-5][0-9][0-9]` followed by a space, a
 * hyphen or nothing), or -1 for a line that is not one. Char codes, not a
 * regular expression: no match array per line.
 */
function lineCode(line: string): number {
  if (line.length < 3) return -1;
  if (line.length > 3) {
    const sep = line.charCodeAt(3);
    if (sep !== 0x20 && sep !== 0x2d) return -1;
  }
  const a = line.charCodeAt(0) - 0x30;
  const b = line.charCodeAt(1) - 0x30;
  const c = line.charCodeAt(2) - 0x30;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/** Whether a reply line (one lineCode accepted) ends its reply: `250 text` or a bare `250`, not `250-text`. */
function endsReply(line: string): boolean {
  return line.length === 3 || line.charCodeAt(3) !== 0x2d;
}

/**
 * The `isLast` predicate for core's readReply: true on the final line of a
 * reply. Throws on a line that is not an SMTP reply line, or whose code differs
 * from the first line's (we cannot tell where such a reply ends). It starts
 * over at each reply's first line (index 0), so one serves consecutive replies.
 */
export function smtpReplyEnd(): (line: string, index: number) => boolean {
  let first = -1;
  return (line, index) => {
    const code = replyLineCode(line);
    if (index === 0) first = code;
    return endsReplyOf(line, code, first);
  };
}

/**
 * smtpReplyEnd's check with no state of its own, for readReply (which passes the reply's lines so far,
 * the first line's code being the reply's): one function shared by every probe, where a dialog made
 * a smtpReplyEnd() closure per probe. The same lines pass and fail, with the same messages.
 */
export function isLastSmtpLine(line: string, index: number, lines: readonly string[]): boolean {
  const code = replyLineCode(line);
  // lines[0] passed this check as index 0: a valid code.
  return endsReplyOf(line, code, index === 0 ? code : lineCode(lines[0]!));
}

/** A reply line's code; throws on a line that is not an SMTP reply line. */
function replyLineCode(line: string): number {
  const code = lineCode(line);
  if (code < 0) throw malformed(`not an SMTP reply line: "${sanitize(line, 80)}"`);
  return code;
}

/** Whether `line` (of code `code`) ends a reply whose first line's code is `first`; throws if the codes differ. */
function endsReplyOf(line: string, code: number, first: number): boolean {
  if (code !== first) throw malformed(`reply code changed from ${first} to ${code} inside one multi-line reply`);
  return endsReply(line);
}

/** Throw as parseReply does unless `lines` are one complete reply. */
function checkReply(lines: readonly string[]): void {
  if (lines.length === 0) throw malformed('empty reply');
  for (let i = 0; i < lines.length; i++) {
    if (isLastSmtpLine(lines[i]!, i, lines) !== (i === lines.length - 1)) throw malformed('reply ends before its last line');
  }
}

/** Parse the complete lines of one reply (as read with smtpReplyEnd). */
export function parseReply(lines: readonly string[]): SmtpReply {
  checkReply(lines);
  return { code: replyCode(lines), texts: lines.map((l) => l.slice(4)), lines: [...lines] };
}

/**
 * The code of a reply already read with smtpReplyEnd (so known well-formed:
 * every line carries the first line's code). The dialog asks only this.
 */
export function replyCode(lines: readonly string[]): number {
  return lineCode(lines[0]!);
}

/** One EHLO extension line: its keyword (upper-cased) and parameters. */
export interface EhloKeyword {
  keyword: string;
  params: string[];
}

/** EHLO keywords are `keyword *(SP param)`; `AUTH=PLAIN LOGIN` is the pre-RFC 2554 form of AUTH. */
export function parseKeyword(text: string): EhloKeyword {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = words[0] ?? '';
  if (/^AUTH=/i.test(head)) return { keyword: 'AUTH', params: [head.slice(5), ...words.slice(1)].filter(Boolean) };
  return { keyword: head.toUpperCase(), params: words.slice(1) };
}

/** What an EHLO (or HELO) reply says: extension lines, SASL mechanisms, STARTTLS. */
export interface EhloView extends CapabilityView {
  /** The first line's text: the server's name and greeting. */
  greeting: string;
}

/**
 * Read an EHLO reply. The first line names the server; each further line is
 * one extension. SASL mechanisms come from every AUTH line (both `AUTH PLAIN
 * LOGIN` and `AUTH=PLAIN LOGIN`), merged in server order without duplicates.
 * A HELO reply is a single line, so it offers no extensions. Every line and
 * word is looked at (STARTTLS after a flood is still found), but past the
 * record's caps (MAX_CAPABILITIES, MAX_SASL_MECHANISMS) they are only counted.
 */
export function parseEhlo(lines: readonly string[]): EhloView {
  checkReply(lines);
  return { greeting: lines[0]!.slice(4), ...ehloCapabilities(lines) };
}

/**
 * parseEhlo's capability view of a reply already read with smtpReplyEnd (the
 * dialog's case: the reader has checked every line, so no second pass does).
 * One pass, two arrays and the view: each extension line is kept (up to
 * MAX_CAPABILITIES) and its keyword looked at; the words of each AUTH line are
 * offered to the SASL list (upper-cased, escaped, bounded, each once, up to
 * MAX_SASL_MECHANISMS), and past either cap only counted, as core's CappedList
 * counts them (`truncated`), without an object per list.
 */
export function ehloCapabilities(lines: readonly string[]): CapabilityView {
  const capabilities: string[] = [];
  const sasl: string[] = [];
  let saslListed = 0;
  let saslCut = false;
  let startTls = false;
  for (let n = 1; n < lines.length; n++) {
    const text = lines[n]!.slice(4);
    if (capabilities.length < MAX_CAPABILITIES) capabilities.push(text);
    // The keyword as parseKeyword reads it, without splitting the line into words.
    // (trimStart: a native scan, several times faster than a loop over a line of 8 KiB of spaces; it is the same \s set.)
    const k = text.length - text.trimStart().length;
    const e = wordEnd(text, k);
    let from = -1;
    if (isWord(text, k, e, 'STARTTLS')) startTls = true;
    else if (isWord(text, k, e, 'AUTH')) from = e;
    else if (hasPrefixAt(text, k, 'AUTH=')) from = k + 5;
    if (from < 0) continue;
    // Mechanism names are short ASCII tokens (RFC 4422); anything else is kept, but escaped and bounded.
    const end = text.length;
    for (let i = skipSpace(text, from, end); i < end; i = skipSpace(text, i, end)) {
      const w = wordEnd(text, i, end);
      saslListed++;
      if (sasl.length >= MAX_SASL_MECHANISMS) saslCut = true;
      else {
        // A repeat of a kept name is counted, not kept: a search of at most MAX_SASL_MECHANISMS names.
        const name = mechanismName(text.slice(i, w));
        if (!sasl.includes(name)) sasl.push(name);
      }
      i = w;
    }
  }
  const view: CapabilityView = { capabilities, sasl, startTls };
  const listed = lines.length - 1;
  if (listed > MAX_CAPABILITIES) view.truncated = saslCut ? { capabilities: listed, sasl: saslListed } : { capabilities: listed };
  else if (saslCut) view.truncated = { sasl: saslListed };
  return view;
}
