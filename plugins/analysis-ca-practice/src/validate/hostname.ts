import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { ipBytes, sameBytes } from './ip-address.js';

export type PeerName = { kind: 'dns'; value: string } | { kind: 'ip'; value: string };

/** The name a record was probed under: an IP literal is an IP reference, anything else a DNS name. */
export function peerNameOf(domain: string): PeerName {
  const bare = domain.startsWith('[') && domain.endsWith(']') ? domain.slice(1, -1) : domain;
  return ipBytes(bare) ? { kind: 'ip', value: bare } : { kind: 'dns', value: domain };
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A syntactically valid presented DNS name: LDH labels, optionally a leftmost "*" label. */
export function validDnsName(name: string, allowWildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.toLowerCase().split('.');
  return labels.every((l, i) => LABEL.test(l) || (allowWildcard && i === 0 && l === '*' && labels.length >= 3));
}

/**
 * RFC 6125 matching as the CA/Browser Forum rules narrow it: only subjectAltName
 * dNSName entries (no fallback to the subject CN), case-insensitive, a
 * wildcard only as the whole leftmost label, covering exactly one label, and
 * never a wildcard directly over a single-label suffix ("*.com").
 */
export function matchesDnsName(presented: string, reference: string): boolean {
  const p = presented.toLowerCase();
  const r = reference.toLowerCase().replace(/\.$/, '');
  if (!validDnsName(p, true) || !validDnsName(r, false)) return false;
  if (!p.startsWith('*.')) return p === r;
  const dot = r.indexOf('.');
  return dot > 0 && r.slice(dot + 1) === p.slice(2);
}

export function matchesPeer(cert: ParsedCertificate, peer: PeerName): boolean {
  const san = cert.ext.san?.names;
  if (!san) return false;
  if (peer.kind === 'ip') {
    const want = ipBytes(peer.value);
    return !!want && san.ip.some((ip) => sameBytes(ip, want));
  }
  return san.dns.some((d) => matchesDnsName(d, peer.value));
}
