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
