import ipaddr from 'ipaddr.js';
import { parseCidr } from './address-set.js';
import { ipv4ToInt } from './ipv4.js';
import { HOSTNAME, normalizeHost } from './source-context.js';

/**
 * One target as written on the command line or in an input file:
 *   ADDR | CIDR | HOST              every service's port(s)
 *   IPv4:PORT | [IPv6]:PORT | HOST:PORT   that port only (testssl.sh's host:port)
 *   IP,DOMAIN[,TAG[,PORT]]          zgrab2's CSV input: DOMAIN is the SNI name, no DNS; TAG is ignored
 * An unbracketed IPv6 text is always an address ("::1:443" is the address ::1:443).
 */
export type TargetSpec =
  /** An address or range without port or name: walked in the seeded permutation. */
  | { kind: 'range'; cidr: string }
  /** One address with a port and/or a name: probed as given. */
  | { kind: 'address'; ip: string; port?: number; domain?: string }
  /** A host name, resolved when the scan reaches it. */
  | { kind: 'host'; host: string; port?: number };

export type TargetParse = { ok: true; spec: TargetSpec } | { ok: false; reason: string };

/** Longer than any real target (a 253-character name, a port, an address): refused before any parsing. */
export const MAX_TARGET_CHARS = 512;

const bad = (reason: string): TargetParse => ({ ok: false, reason });

/** Parse one target; never throws, linear in the text's length (which is capped). */
export function parseTarget(text: string): TargetParse {
  const t = text.trim();
  if (!t) return bad('empty');
  if (t.length > MAX_TARGET_CHARS) return bad(`longer than ${MAX_TARGET_CHARS} characters`);
  if (t.includes(',')) return parseCsv(t);
  if (t.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(t);
    if (!m) return bad('"[" without a matching "]" (IPv6 with a port is [ADDR]:PORT)');
    const ip = ipv6(m[1]!);
    if (!ip) return bad(`not an IPv6 address inside [ ]`);
    if (m[2] === undefined) return { ok: true, spec: { kind: 'range', cidr: ip } };
    const port = parsePort(m[2]);
    return port === undefined ? bad(`bad port "${m[2]}" (1-65535)`) : { ok: true, spec: { kind: 'address', ip, port } };
  }
  const colons = count(t, ':');
  if (colons > 1) {
    // IPv6, with or without a prefix length.
    if (t.includes('/')) return parseCidr(t) ? { ok: true, spec: { kind: 'range', cidr: t } } : bad('not an IPv6 range');
    const ip = ipv6(t);
    return ip ? { ok: true, spec: { kind: 'range', cidr: ip } } : bad('not an IPv6 address (a port needs brackets: [ADDR]:PORT)');
  }
  const [head, portText] = colons === 1 ? [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)] : [t, undefined];
  const port = portText === undefined ? undefined : parsePort(portText);
  if (portText !== undefined && port === undefined) return bad(`bad port "${portText}" (1-65535)`);
  if (head.includes('/')) {
    if (port !== undefined) return bad('a port goes with one address or name, not a range (use --port for ranges)');
    return rangeOf(head);
  }
  if (/^[\d.]+$/.test(head)) {
    if (ipv4ToInt(head) === undefined) return bad('not an IPv4 address (four decimal numbers 0-255)');
    return { ok: true, spec: port === undefined ? { kind: 'range', cidr: head } : { kind: 'address', ip: head, port } };
  }
  const host = hostName(head);
  if (!host) return bad('not an address, range or host name');
  return { ok: true, spec: port === undefined ? { kind: 'host', host } : { kind: 'host', host, port } };
}

/** zgrab2's input line: IP, DOMAIN, TAG, PORT (trailing fields optional). */
function parseCsv(t: string): TargetParse {
  const fields = t.split(',').map((f) => f.trim());
  if (fields.length > 4) return bad('more than four fields (IP,DOMAIN,TAG,PORT)');
  const [ipText, domainText = '', , portText = ''] = fields;
  const ip = /^[\d.]+$/.test(ipText!) ? (ipv4ToInt(ipText!) !== undefined ? ipText! : undefined) : ipv6(ipText!.replace(/^\[(.*)\]$/, '$1'));
  if (!ip) return bad('IP,DOMAIN: the first field must be one IP address (no range, no name)');
  let domain: string | undefined;
  if (domainText) {
    domain = hostName(domainText);
    if (!domain) return bad(`IP,DOMAIN: "${domainText.slice(0, 80)}" is not a host name`);
  }
  let port: number | undefined;
  if (portText) {
    port = parsePort(portText);
    if (port === undefined) return bad(`bad port "${portText.slice(0, 20)}" (1-65535)`);
  }
  if (!domain && port === undefined) return { ok: true, spec: { kind: 'range', cidr: ip } };
  return { ok: true, spec: { kind: 'address', ip, ...(port !== undefined ? { port } : {}), ...(domain ? { domain } : {}) } };
}

function rangeOf(text: string): TargetParse {
  const slash = text.indexOf('/');
  if (/^[\d.]+$/.test(text.slice(0, slash)) && ipv4ToInt(text.slice(0, slash)) === undefined) return bad('not an IPv4 range (bad address)');
  if (!/^\d{1,2}$/.test(text.slice(slash + 1)) || Number(text.slice(slash + 1)) > 32) return bad('not an IPv4 range (prefix length 0-32)');
  return parseCidr(text) ? { ok: true, spec: { kind: 'range', cidr: text } } : bad('not an address range');
}

/** The compact form of an IPv6 address; undefined when the text is not exactly one (no zone, no prefix). */
function ipv6(text: string): string | undefined {
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  return ipaddr.IPv6.parse(text).toString();
}

function hostName(text: string): string | undefined {
  return HOSTNAME.test(text) && /[a-z]/i.test(text) ? normalizeHost(text) : undefined;
}

/** A decimal port 1-65535 without sign or leading zero. */
export function parsePort(text: string): number | undefined {
  if (!/^[1-9]\d{0,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === ch) n++;
  return n;
}
