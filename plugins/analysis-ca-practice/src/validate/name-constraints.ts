import type { GeneralNames, ParsedName } from '../cert/names.js';
import { OID_EMAIL, nameAttributes } from '../cert/names.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { validDnsName } from './hostname.js';

type Constraints = NonNullable<ParsedCertificate['ext']['nameConstraints']>;

/** Constraint syntax a verifier must refuse (RFC 5280 4.2.1.10): bad IP masks, wildcards, empty constraints. */
export function constraintsMalformed(nc: Constraints): string | undefined {
  if (!nc.permitted && !nc.excluded) return 'empty name constraints';
  for (const set of [nc.permitted, nc.excluded]) {
    if (!set) continue;
    if (set.dns.length + set.ip.length + set.email.length + set.uri.length + set.dirNames.length + set.other === 0) return 'empty subtrees';
    for (const ip of set.ip) if (!validIpConstraint(ip)) return 'malformed IP constraint';
    // RFC 5280 4.2.1.10 allows a leading period in URI constraints, not in DNS ones.
    for (const d of set.dns) if (d !== '' && !validDnsName(d, false)) return 'malformed DNS constraint';
  }
  return undefined;
}

function validIpConstraint(c: Uint8Array): boolean {
  if (c.length !== 8 && c.length !== 32) return false;
  const n = c.length / 2;
  let ones = true;
  for (let i = n; i < c.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (c[i]! >> bit) & 1;
      if (set && !ones) return false;
      if (!set) ones = false;
    }
  }
  return true;
}

/** dNSName within a dNSName subtree (RFC 5280: the constraint plus any subdomain; a leading "." means subdomains only). */
export function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith('.' + c);
}

/** Could a wildcard name cover something inside the subtree? ("*.example.com" vs excluded "foo.example.com"). */
function wildcardMeets(name: string, constraint: string): boolean {
  if (!name.startsWith('*.')) return dnsWithin(name, constraint);
  const base = name.slice(2);
  const c = constraint.toLowerCase().replace(/^\./, '');
  return dnsWithin(name, constraint) || (c.includes('.') && dnsWithin(c, base) && c.split('.').length === base.split('.').length + 1);
}

function ipWithin(ip: Uint8Array, c: Uint8Array): boolean {
  if (c.length !== ip.length * 2) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & c[ip.length + i]!) !== (c[i]! & c[ip.length + i]!)) return false;
  return true;
}

/** rfc822Name within an rfc822Name constraint: a mailbox, a host, or ".domain" (subdomains). */
export function emailWithin(email: string, c: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const host = email.slice(at + 1).toLowerCase();
  if (c.includes('@')) {
    const cat = c.lastIndexOf('@');
    return email.slice(0, at) === c.slice(0, cat) && host === c.slice(cat + 1).toLowerCase();
  }
  const lc = c.toLowerCase();
  return lc.startsWith('.') ? host.endsWith(lc) : host === lc;
}

function dnWithin(name: ParsedName, c: ParsedName): boolean {
  const nk = name.key.split(',');
  const ck = c.key === '' ? [] : c.key.split(',');
  return ck.length <= nk.length && ck.every((r, i) => r === nk[i]);
}

function check<T>(names: T[], permitted: T[] | undefined, excluded: T[] | undefined, within: (n: T, c: T) => boolean, excludedMeets = within): boolean {
  for (const n of names) {
    if (permitted && permitted.length && !permitted.some((c) => within(n, c))) return false;
    if (excluded && excluded.some((c) => excludedMeets(n, c))) return false;
  }
  return true;
}

/** Names of `cert` that constraints apply to: SAN entries, subject emailAddress attributes and the subject DN. */
export function satisfiesConstraints(cert: ParsedCertificate, nc: Constraints): boolean {
  const san: GeneralNames | undefined = cert.ext.san?.names;
  const p = nc.permitted;
  const e = nc.excluded;
  const emails = [...(san?.email ?? []), ...nameAttributes(cert.subject, OID_EMAIL)];
  const dirs = cert.subject.rdns.length ? [cert.subject, ...(san?.dirNames ?? [])] : san?.dirNames ?? [];
  // A name of a kind we cannot compare (otherName, URI) under a constraint of that kind cannot be proven allowed.
  if (san && san.other > 0 && ((p?.other ?? 0) > 0 || (e?.other ?? 0) > 0)) return false;
  if (san && san.uri.length > 0 && ((p?.uri.length ?? 0) > 0 || (e?.uri.length ?? 0) > 0)) return false;
  return (
    check(san?.dns ?? [], p?.dns, e?.dns, dnsWithin, wildcardMeets) &&
    check(san?.ip ?? [], p?.ip, e?.ip, ipWithin) &&
    check(emails, p?.email, e?.email, emailWithin) &&
    check(dirs, p?.dirNames, e?.dirNames, dnWithin)
  );
}

function subtreeCount(g: GeneralNames | undefined): number {
  return g ? g.dns.length + g.ip.length + g.email.length + g.uri.length + g.dirNames.length + g.other : 0;
}

/** Comparisons checking `cert` against `nc` would take. */
export function constraintWork(cert: ParsedCertificate, nc: Constraints): number {
  const san = cert.ext.san?.names;
  const names = (san ? subtreeCount(san) : 0) + cert.subject.rdns.length;
  return names * (subtreeCount(nc.permitted) + subtreeCount(nc.excluded));
}
