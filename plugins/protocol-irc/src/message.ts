/** One IRC protocol line (RFC 1459 section 2.3.1, IRCv3 message tags). */
export interface IrcMessage {
  prefix?: string;
  /** Upper-cased command or three-digit numeric. */
  command: string;
  params: string[];
}

/**
 * Parse one line; tags are dropped. Returns undefined for an empty line.
 * Lenient on spacing, as servers are: runs of spaces separate parameters.
 */
export function parseMessage(line: string): IrcMessage | undefined {
  let rest = line.trimStart();
  if (rest.startsWith('@')) rest = after(rest);
  let prefix: string | undefined;
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    prefix = rest.slice(1, sp < 0 ? undefined : sp);
    rest = sp < 0 ? '' : rest.slice(sp + 1).trimStart();
  }
  if (!rest) return undefined;
  const params: string[] = [];
  const sp = rest.indexOf(' ');
  const command = (sp < 0 ? rest : rest.slice(0, sp)).toUpperCase();
  rest = sp < 0 ? '' : rest.slice(sp + 1);
  while (rest.length) {
    rest = rest.trimStart();
    if (!rest) break;
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const i = rest.indexOf(' ');
    params.push(i < 0 ? rest : rest.slice(0, i));
    rest = i < 0 ? '' : rest.slice(i + 1);
  }
  return { ...(prefix !== undefined ? { prefix } : {}), command, params };
}

function after(s: string): string {
  const sp = s.indexOf(' ');
  return sp < 0 ? '' : s.slice(sp + 1).trimStart();
}

/** Capability tokens of one `CAP * LS` line, in order (`name` or `name=value`). */
export function capTokens(list: string): string[] {
  return list.split(' ').filter((t) => t.length > 0);
}

/**
 * Add the tokens of one `CAP * LS` line to those of the lines before it (a
 * reply may span many continuation lines); a token already listed is kept once,
 * in first-seen order. A Set keeps this linear however many tokens a server sends.
 */
export function addCapTokens(caps: Set<string>, list: string): void {
  for (const t of capTokens(list)) caps.add(t);
}

/** SASL mechanisms from the `sasl=PLAIN,EXTERNAL` cap value (IRCv3 CAP 302), upper-cased, de-duplicated. */
export function saslMechanisms(caps: string[]): string[] {
  const sasl = caps.find((c) => c === 'sasl' || c.startsWith('sasl='));
  if (!sasl || !sasl.includes('=')) return [];
  const out = new Set<string>();
  for (const m of sasl.slice(5).split(',')) {
    const name = m.trim().toUpperCase();
    if (name) out.add(name);
  }
  return [...out];
}
