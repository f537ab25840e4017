import type { GeneralNames, ParsedName } from '../cert/names.js';
import { OID_CN, OID_EMAIL, nameAttributes } from '../cert/names.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { X509_V } from './verify-errors.js';

type Constraints = NonNullable<ParsedCertificate['ext']['nameConstraints']>;

/** NAME_CHECK_MAX: OpenSSL refuses (UNSPECIFIED) a check of more than 2^20 name-constraint pairs. */
const NAME_CHECK_MAX = 1 << 20;
const OK = 0;
const NO = X509_V.PERMITTED_VIOLATION;

function endsWithCi(s: string, suffix: string): boolean {
  return s.length >= suffix.length && s.slice(s.length - suffix.length).toLowerCase() === suffix.toLowerCase();
}

/** nc_dns: the constraint, or any name ending in it at a label boundary (a leading "." in the constraint is accepted). */
function ncDns(dns: string, base: string): number {
  if (base.length === 0) return OK;
  if (dns.length < base.length) return NO;
  if (dns.length > base.length && base[0] !== '.' && dns[dns.length - base.length - 1] !== '.') return NO;
  return endsWithCi(dns, base) ? OK : NO;
}

/** nc_email: a mailbox (local part case-sensitive), a host, or ".domain". */
function ncEmail(eml: string, base: string): number {
  const emlAt = eml.lastIndexOf('@');
  if (emlAt < 0) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0 && base.startsWith('.')) return eml.length > base.length && endsWithCi(eml, base) ? OK : NO;
  let host = base;
  if (baseAt >= 0) {
    if (baseAt > 0 && base.slice(0, baseAt) !== eml.slice(0, emlAt)) return NO;
    host = base.slice(baseAt + 1);
  }
  return host.toLowerCase() === eml.slice(emlAt + 1).toLowerCase() ? OK : NO;
}

/** nc_uri: the host of scheme://host[:port][/...] against a host or ".domain". */
function ncUri(uri: string, base: string): number {
  const colon = uri.indexOf(':');
  if (colon < 0 || uri.slice(colon, colon + 3) !== '://') return X509_V.UNSUPPORTED_NAME_SYNTAX;
  const rest = uri.slice(colon + 3);
  const end = rest.includes(':') ? rest.indexOf(':') : rest.includes('/') ? rest.indexOf('/') : rest.length;
  const host = rest.slice(0, end);
  if (host.length === 0) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  if (base.startsWith('.')) return host.length > base.length && endsWithCi(host, base) ? OK : NO;
  return host.toLowerCase() === base.toLowerCase() ? OK : NO;
}

/** nc_ip: address and mask; neither IPv4 nor IPv6 is a syntax error, v4 against v6 simply no match. */
function ncIp(ip: Uint8Array, base: Uint8Array): number {
  if (ip.length !== 4 && ip.length !== 16) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  if (base.length !== 8 && base.length !== 32) return X509_V.UNSUPPORTED_NAME_SYNTAX;
  if (ip.length * 2 !== base.length) return NO;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & base[ip.length + i]!) !== (base[i]! & base[ip.length + i]!)) return NO;
  return OK;
}

/** nc_dn: the constraint's RDNs are a prefix of the name's (canonical forms). */
function ncDn(name: ParsedName, base: ParsedName): number {
  const n = name.rdnKeys;
  const b = base.rdnKeys;
  if (b.length > n.length) return NO;
  for (let i = 0; i < b.length; i++) if (b[i] !== n[i]) return NO;
  return OK;
}

/** nc_match over one kind: some permitted subtree of the kind must match (when there is one), no excluded one may. */
function ncMatch<T>(name: T, permitted: readonly T[], excluded: readonly T[], single: (n: T, b: T) => number): number {
  if (permitted.length) {
    let matched = false;
    for (const b of permitted) {
      const r = single(name, b);
      if (r === OK) {
        matched = true;
        break;
      }
      if (r !== NO) return r;
    }
    if (!matched) return NO;
  }
  for (const b of excluded) {
    const r = single(name, b);
    if (r === OK) return X509_V.EXCLUDED_VIOLATION;
    if (r !== NO) return r;
  }
  return OK;
}

function count(g: GeneralNames | undefined): number {
  return g ? g.dns.length + g.ip.length + g.email.length + g.uri.length + g.dirNames.length + g.other : 0;
}

/** Name-constraint pairs a check of `cert` against `nc` compares (OpenSSL's guard, and our per-chain budget). */
export function constraintPairs(cert: ParsedCertificate, nc: Constraints): number {
  let entries = 0;
  for (const rdn of cert.subject.rdns) entries += rdn.length;
  return (entries + count(cert.ext.san?.names)) * (count(nc.permitted) + count(nc.excluded));
}

/**
 * cn2dnsid: a subject CN that looks like a host name (two or more labels of
 * letters, digits, "_" and inner "-"), else undefined. One pass, as OpenSSL's
 * loop (a regular expression here could backtrack quadratically on a long CN).
 */
export function cnAsDnsName(cn: string): string | undefined {
  let end = cn.length;
  while (end > 0 && cn.charCodeAt(end - 1) === 0) end--;
  const s = cn.slice(0, end);
  let dns = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_') continue;
    // A dot or hyphen is never first or last; next to a dot there is no other dot or hyphen.
    if (i > 0 && i < s.length - 1) {
      if (c === '-') continue;
      if (c === '.' && s[i + 1] !== '.' && s[i - 1] !== '-' && s[i + 1] !== '-') {
        dns = true;
        continue;
      }
    }
    return undefined;
  }
  return dns ? s : undefined;
}

/**
 * NAME_CONSTRAINTS_check (OpenSSL 3.0) of one certificate against one CA's
 * constraints: the subject DN, the subject's emailAddress attributes, then
 * every SAN entry; for the leaf without a DNS SAN, also a host-name-like CN
 * (NAME_CONSTRAINTS_check_CN). Returns an X509_V_ERR code or 0.
 */
export function checkNameConstraints(cert: ParsedCertificate, nc: Constraints, isLeaf: boolean): number {
  const pairs = constraintPairs(cert, nc);
  if (pairs > 0 && pairs > NAME_CHECK_MAX) return X509_V.UNSPECIFIED;
  if (nc.minMax) return X509_V.SUBTREE_MINMAX;
  const p = nc.permitted;
  const e = nc.excluded;
  const san = cert.ext.san?.names;
  if (cert.subject.rdns.length > 0) {
    const r = ncMatch(cert.subject, p?.dirNames ?? [], e?.dirNames ?? [], ncDn);
    if (r) return r;
    for (const m of nameAttributes(cert.subject, OID_EMAIL)) { const r2 = ncMatch(m, p?.email ?? [], e?.email ?? [], ncEmail); if (r2) return r2; }
  }
  if (san) {
    for (const d of san.dns) { const r = ncMatch(d, p?.dns ?? [], e?.dns ?? [], ncDns); if (r) return r; }
    for (const m of san.email) { const r = ncMatch(m, p?.email ?? [], e?.email ?? [], ncEmail); if (r) return r; }
    for (const u of san.uri) { const r = ncMatch(u, p?.uri ?? [], e?.uri ?? [], ncUri); if (r) return r; }
    for (const ip of san.ip) { const r = ncMatch(ip, p?.ip ?? [], e?.ip ?? [], ncIp); if (r) return r; }
    for (const d of san.dirNames) { const r = ncMatch(d, p?.dirNames ?? [], e?.dirNames ?? [], ncDn); if (r) return r; }
    // Kinds OpenSSL cannot compare (x400, ediParty, registeredID, otherName): a constraint of the same kind is unsupported.
    for (const k of san.otherKinds) {
      const same = (c: { tag: number; oid?: string }) => c.tag === k.tag && (k.tag !== 0xa0 || c.oid === k.oid);
      if ((p?.otherKinds ?? []).some(same) || (e?.otherKinds ?? []).some(same)) return X509_V.UNSUPPORTED_CONSTRAINT_TYPE;
    }
  }
  if (isLeaf && !(san && san.dns.length > 0)) {
    for (const cn of nameAttributes(cert.subject, OID_CN)) {
      const host = cnAsDnsName(cn);
      if (!host) continue;
      const r = ncMatch(host, p?.dns ?? [], e?.dns ?? [], ncDns);
      if (r) return r;
    }
  }
  return OK;
}
