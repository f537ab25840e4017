import { CappedList, MAX_CAPABILITIES, MAX_SASL_MECHANISMS, cappedView, mechanismName, skipSpace, type CapabilityView } from '@wildtls/core';

/**
 * The capability list of one CAP LS reply, which may span many continuation
 * lines: tokens in first-seen order, each once, at most MAX_CAPABILITIES kept
 * and the rest counted. Every token is looked at, kept or not, for `tls` (the
 * STARTTLS offer) and the first `sasl` cap, so neither hides behind a flood.
 */
export class CapLsList {
  private readonly caps = new CappedList(MAX_CAPABILITIES, true);
  /** The `tls` cap was listed. */
  tls = false;
  /** The first `sasl` or `sasl=...` token, as sent. */
  private sasl: string | undefined;

  /** Add the tokens of one `CAP * LS` line (separated by spaces only, as IRCv3 writes them). */
  add(list: string): void {
    for (let i = 0; i < list.length; ) {
      if (list.charCodeAt(i) === 0x20) {
        i++;
        continue;
      }
      const sp = list.indexOf(' ', i);
      const e = sp < 0 ? list.length : sp;
      if (isCap(list, i, e, 'tls')) this.tls = true;
      else if (this.sasl === undefined && isCap(list, i, e, 'sasl')) this.sasl = list.slice(i, e);
      if (this.caps.full) this.caps.skip();
      else this.caps.add(list.slice(i, e));
      i = e;
    }
  }

  /** What the reply offers: the capped lists, and STARTTLS when `tls` was listed. */
  view(): CapabilityView {
    return cappedView(this.caps, saslMechanisms(this.sasl), this.tls);
  }
}

/** `text[start, end)` is the cap `name` (case-sensitive, as IRCv3 names are) or `name=value`. */
function isCap(text: string, start: number, end: number, name: string): boolean {
  return text.startsWith(name, start) && (end - start === name.length || text.charCodeAt(start + name.length) === 0x3d /* = */);
}

/**
 * SASL mechanisms from the `sasl=PLAIN,EXTERNAL` cap (IRCv3 CAP 302), upper-cased,
 * de-duplicated, at most MAX_SASL_MECHANISMS kept; none from a bare `sasl` or no cap.
 */
export function saslMechanisms(cap: string | undefined): CappedList {
  const out = new CappedList(MAX_SASL_MECHANISMS, true);
  const eq = cap?.indexOf('=') ?? -1;
  if (!cap || eq < 0) return out;
  for (let i = eq + 1; i <= cap.length; ) {
    const comma = cap.indexOf(',', i);
    const e = comma < 0 ? cap.length : comma;
    // Entries are trimmed; an empty one is no mechanism.
    if (skipSpace(cap, i, e) < e) {
      if (out.full) out.skip();
      else out.add(mechanismName(cap.slice(i, e).trim()));
    }
    i = e + 1;
  }
  return out;
}
