import { ProbeError, readReply, sanitize, type CapabilityView, type Connection } from '@wildtls/core';

/**
 * An FTP reply (RFC 959 §4.2): "ddd text" on one line, or a multi-line reply
 * that opens with "ddd-" and ends with the first line that starts with the
 * same code and a space. Lines in between may hold anything.
 */
export async function readFtpReply(conn: Connection, maxLines: number): Promise<string[]> {
  const first = await conn.readLine();
  const m = /^(\d{3})([ -]|$)/.exec(first);
  if (!m) throw new ProbeError('protocol-error', 'malformed-reply', `not an FTP reply: ${JSON.stringify(sanitize(first, 120))}`);
  if (m[2] !== '-') return [first];
  const end = `${m[1]} `;
  const rest = await readReply(conn, (line) => line.startsWith(end) || line === m[1], { maxLines: maxLines - 1 });
  return [first, ...rest];
}

/** The three-digit code of a reply read by readFtpReply. */
export function replyCode(lines: string[]): number {
  return Number(lines[0]!.slice(0, 3));
}

/**
 * The features of a FEAT reply (RFC 2389 §3.2): on a 211 multi-line reply, the
 * lines between the first and the last, each a feature name and parameters.
 * A single-line 211 lists no features; 500/502 means FEAT is not supported.
 */
export function featFeatures(lines: string[]): string[] {
  if (replyCode(lines) !== 211 || lines.length < 3) return [];
  return lines.slice(1, -1).map((l) => l.trim()).filter((l) => l !== '');
}

/**
 * The capability view of the features: FTP has no SASL, and AUTH TLS is
 * offered when a feature "AUTH" lists the TLS mechanism (RFC 4217 §6, which
 * separates mechanisms with ";", e.g. "AUTH TLS;TLS-C;SSL"; vsftpd sends one
 * "AUTH x" line per mechanism).
 */
export function parseFeat(features: string[]): CapabilityView {
  let startTls = false;
  for (const f of features) {
    const [name, ...params] = f.split(/\s+/);
    if (name!.toUpperCase() !== 'AUTH') continue;
    const mechanisms = params.join(' ').split(/[;\s]+/).map((p) => p.toUpperCase());
    if (mechanisms.includes('TLS')) startTls = true;
  }
  return { capabilities: features, sasl: [], startTls };
}
