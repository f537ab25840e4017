import { isIP } from 'node:net';
import { WildtlsError, type ProbeRecord } from '@wildtls/core';

export interface TargetFilter {
  /** The target as given, for messages. */
  text: string;
  matches(r: Pick<ProbeRecord, 'ip' | 'port'>): boolean;
}

/** `--target`: IP, IP:PORT, bare IPv6 or [IPv6]:PORT. IPv6 addresses compare in canonical form. */
export function parseTarget(text: string): TargetFilter {
  let ip = text;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    ip = bracket[1]!;
    port = bracket[2] !== undefined ? Number(bracket[2]) : undefined;
  } else if (isIP(text) === 0) {
    const m = /^([^:]+):(\d+)$/.exec(text);
    if (m) {
      ip = m[1]!;
      port = Number(m[2]);
    }
  }
  if (isIP(ip) === 0 || (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--target ${text}: expected IP, IP:PORT or [IPv6]:PORT`);
  }
  const want = canonical(ip);
  return { text, matches: (r) => (port === undefined || r.port === port) && canonical(r.ip) === want };
}

function canonical(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    // The URL parser prints IPv6 in its canonical (RFC 5952) form.
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip;
  }
}
