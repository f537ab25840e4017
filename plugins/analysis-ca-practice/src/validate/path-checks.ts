import { EKU, KU } from '../cert/extensions.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import type { ValidationError } from './errors.js';
import { ipText } from './ip-address.js';
import { matchesPeer, validDnsName, type PeerName } from './hostname.js';
import { constraintWork, constraintsMalformed, satisfiesConstraints } from './name-constraints.js';

export interface PathCheckOptions {
  /** Validation instant, epoch ms. */
  at: number;
  peer?: PeerName;
  /** EKU the leaf must allow (serverAuth for a TLS server). */
  eku: string;
  /** Key usage bits the leaf must allow when it has a keyUsage extension. */
  keyUsage?: number;
  /** Check the trust anchor's extension profile (AKI form, SKI, critical basicConstraints) too. */
  strictAnchors: boolean;
}

const MAX_CONSTRAINT_WORK = 250_000;
const GOOD_CURVES = new Set(['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.132.0.35']);

/** Keys the Web PKI accepts: RSA of 2048+ bits in whole bytes, ECDSA P-256/384/521 (named), Ed25519/Ed448; never DSA. */
export function keyAcceptable(c: ParsedCertificate): boolean {
  const { type, bits, curve } = c.key;
  if (type === 'rsa' || type === 'rsa-pss') return (bits ?? 0) >= 2048 && (bits ?? 0) % 8 === 0;
  if (type === 'ec') return !!curve && GOOD_CURVES.has(curve);
  return type === 'ed25519' || type === 'ed448';
}

function serialValid(s: Uint8Array): boolean {
  if (s.length === 0 || s.length > 20 + (s[0] === 0 ? 1 : 0) || s[0]! & 0x80) return false;
  return s.some((b) => b !== 0);
}

function sanSyntaxValid(c: ParsedCertificate): boolean {
  const san = c.ext.san?.names;
  if (!san) return true;
  return san.dns.every((d) => validDnsName(d, true)) && san.ip.every((ip) => ip.length === 4 || ip.length === 16) && san.email.every((e) => e.indexOf('@') > 0 && e.indexOf('@') === e.lastIndexOf('@'));
}

/** CA/B BR 7.1.4.3 (a CA-practice flag, not a validity error): a subject CN, when present, repeats one SAN entry exactly (IP addresses in their canonical text). */
export function commonNamesInSan(c: ParsedCertificate): boolean {
  const san = c.ext.san?.names;
  if (!san || c.commonNames.length === 0) return true;
  const ips = san.ip.map(ipText);
  return c.commonNames.every((cn) => san.dns.includes(cn) || ips.includes(cn));
}

/** Validity-period errors of every certificate on a (possibly partial) path. */
export function timeErrors(path: readonly ParsedCertificate[], at: number, out: Set<ValidationError>): void {
  for (const c of path) {
    if (at < c.notBefore) out.add('not-yet-valid');
    // notAfter is inclusive to the whole second it names.
    if (at >= c.notAfter + 1000) out.add('expired');
  }
}

/** Checks on one certificate that do not depend on its place in the path. */
function certificateChecks(c: ParsedCertificate, isLeaf: boolean, isAnchor: boolean, o: PathCheckOptions, out: Set<ValidationError>): void {
  timeErrors([c], o.at, out);
  if (c.version !== 3) out.add('unsupported-version');
  if (c.ext.unknownCritical.length) out.add('unknown-critical-extension');
  if (c.ext.malformed.length) out.add('malformed-extension');
  if (c.ext.duplicates.length) out.add('duplicate-extension');
  if (c.sigAlgMismatch) out.add('signature-algorithm-mismatch');
  if (c.ecExplicitParams || !keyAcceptable(c)) out.add('weak-key');
  if (isAnchor && !o.strictAnchors) return;
  if (!isAnchor && !serialValid(c.serial)) out.add('invalid-serial');
  const { aki, ski, san, basicConstraints: bc } = c.ext;
  if (aki?.critical || ski?.critical) out.add('key-identifiers');
  if (!isAnchor && !c.selfIssued && !aki?.keyId) out.add('key-identifiers');
  if (isAnchor && c.selfIssued && aki && (!aki.keyId || aki.issuerAndSerial || (ski && !Buffer.from(aki.keyId).equals(Buffer.from(ski.id))))) out.add('key-identifiers');
  if (bc?.ca && !ski) out.add('key-identifiers');
  if (c.issuer.rdns.length === 0) out.add('empty-name');
  if (c.subject.rdns.length === 0 && (!isLeaf || !san?.critical)) out.add('empty-name');
  if (san && san.critical && c.subject.rdns.length > 0) out.add('invalid-san');
  if (!isLeaf && bc && !bc.critical) out.add('not-a-ca');
}

/**
 * Every RFC 5280 / Web PKI path rule over one path, leaf first, the last
 * element the trust anchor when `complete`. Returns all errors, not the first.
 */
export function checkPath(path: readonly ParsedCertificate[], complete: boolean, o: PathCheckOptions): Set<ValidationError> {
  const out = new Set<ValidationError>();
  const last = path.length - 1;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const isAnchor = complete && i === last;
    certificateChecks(c, i === 0, isAnchor, o, out);
    if (i === 0) {
      if (path.length > 1 || !isAnchor) {
        if (c.ext.basicConstraints?.ca) out.add('leaf-is-ca');
        if (c.ext.nameConstraints) out.add('name-constraints');
        const ku = c.ext.keyUsage?.bits;
        if (ku !== undefined && ((ku & KU.keyCertSign) || (o.keyUsage !== undefined && (ku & o.keyUsage) !== o.keyUsage))) out.add('leaf-key-usage');
        const eku = c.ext.eku?.oids;
        if (eku && !eku.includes(o.eku) && !eku.includes(EKU.any)) out.add('extended-key-usage');
        if (!sanSyntaxValid(c)) out.add('invalid-san');
      }
      if (o.peer && !matchesPeer(c, o.peer)) out.add('hostname-mismatch');
      continue;
    }
    // Issuers: must be CAs allowed to sign certificates.
    const bc = c.ext.basicConstraints;
    if (!bc?.ca) out.add('not-a-ca');
    if (c.ext.keyUsage && !(c.ext.keyUsage.bits & KU.keyCertSign)) out.add('ca-key-usage');
    const eku = c.ext.eku?.oids;
    if (eku && !eku.includes(o.eku) && !eku.includes(EKU.any)) out.add('extended-key-usage');
    if (bc?.pathLen !== undefined) {
      let below = 0;
      for (let k = 1; k < i; k++) if (!path[k]!.selfIssued) below++;
      if (below > bc.pathLen) out.add('path-length-exceeded');
    }
    const nc = c.ext.nameConstraints;
    if (nc) {
      if (constraintsMalformed(nc)) out.add('name-constraints');
      for (let k = 0; k < i; k++) {
        if (k > 0 && path[k]!.selfIssued) continue;
        // Quadratic name-constraint work (thousands of names times thousands of constraints) is refused, as verifiers do.
        if (constraintWork(path[k]!, nc) > MAX_CONSTRAINT_WORK) out.add('path-building-limit');
        else if (!satisfiesConstraints(path[k]!, nc)) out.add('name-constraints');
      }
    }
  }
  return out;
}
