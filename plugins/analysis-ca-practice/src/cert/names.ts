import { der } from '@wildtls/core';

const { DerError, TAG, bytes, children, decodeOid, decodeString, expectTag, readTlv } = der;
type Tlv = der.Tlv;

export interface NameAttribute {
  oid: string;
  /** Text for string types, otherwise undefined. */
  value: string | undefined;
}

export interface ParsedName {
  /** Canonical form for issuer/subject matching (RFC 5280 7.1: case-folded, whitespace-collapsed strings). */
  key: string;
  /** RDNs in order, each a set of attributes. */
  rdns: NameAttribute[][];
  /** Each RDN's canonical form, in order (`key` joins them with commas, which a value may also hold). */
  rdnKeys: string[];
}

export const OID_CN = '2.5.4.3';
export const OID_EMAIL = '1.2.840.113549.1.9.1';

function canonicalValue(buf: Uint8Array, t: Tlv): string {
  const s = decodeString(buf, t);
  if (s === undefined) return '#' + Buffer.from(buf.subarray(t.start, t.end)).toString('hex');
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Parse an X.501 Name (the SEQUENCE TLV). */
export function parseName(buf: Uint8Array, name: Tlv): ParsedName {
  expectTag(name, TAG.SEQUENCE, 'Name');
  const rdns: NameAttribute[][] = [];
  const keys: string[] = [];
  for (const rdn of children(buf, name)) {
    expectTag(rdn, TAG.SET, 'RDN');
    const attrs: NameAttribute[] = [];
    const parts: string[] = [];
    const avas = children(buf, rdn);
    if (avas.length === 0) throw new DerError('empty RDN');
    for (const ava of avas) {
      const [oidT, valT] = children(buf, expectTag(ava, TAG.SEQUENCE, 'AttributeTypeAndValue'));
      if (!oidT || !valT) throw new DerError('bad AttributeTypeAndValue');
      const oid = decodeOid(buf, oidT);
      attrs.push({ oid, value: decodeString(buf, valT) });
      parts.push(`${oid}=${canonicalValue(buf, valT)}`);
    }
    rdns.push(attrs);
    keys.push(parts.sort().join('+'));
  }
  return { key: keys.join(','), rdns, rdnKeys: keys };
}

export function nameAttributes(n: ParsedName, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of n.rdns) for (const a of rdn) if (a.oid === oid && a.value !== undefined) out.push(a.value);
  return out;
}

export interface GeneralNames {
  dns: string[];
  ip: Uint8Array[];
  email: string[];
  uri: string[];
  dirNames: ParsedName[];
  /** otherName, x400, ediParty, registeredID: kinds we do not check. */
  other: number;
  /** Those names' context tags (and an otherName's type-id), for verifiers that tell them apart. */
  otherKinds: Array<{ tag: number; oid?: string }>;
}

export function emptyGeneralNames(): GeneralNames {
  return { dns: [], ip: [], email: [], uri: [], dirNames: [], other: 0, otherKinds: [] };
}

/** A name outside printable ASCII: malformed to us, though OpenSSL decodes it (it does not check IA5String contents). */
export class CharsetError extends DerError {}

function ia5(buf: Uint8Array, t: Tlv): string {
  const b = bytes(buf, t);
  for (const c of b) if (c > 0x7e || c < 0x20) throw new CharsetError('non-IA5 name');
  return Buffer.from(b).toString('latin1');
}

/** An otherName's type-id, or undefined when its contents do not parse (the name is kept, its kind unknown). */
function otherNameType(buf: Uint8Array, t: Tlv): string | undefined {
  try {
    const first = readTlv(buf, t.body, t.end);
    return first.tag === TAG.OID ? decodeOid(buf, first) : undefined;
  } catch {
    return undefined;
  }
}

/** Add one GeneralName TLV (context-tagged) to `into`. */
export function addGeneralName(buf: Uint8Array, t: Tlv, into: GeneralNames): void {
  switch (t.tag) {
    case 0x81:
      into.email.push(ia5(buf, t));
      break;
    case 0x82:
      into.dns.push(ia5(buf, t));
      break;
    case 0x86:
      into.uri.push(ia5(buf, t));
      break;
    case 0x87:
      into.ip.push(bytes(buf, t));
      break;
    case 0xa4: {
      const inner = readTlv(buf, t.body, t.end);
      if (inner.end !== t.end) throw new DerError('bad directoryName');
      into.dirNames.push(parseName(buf, inner));
      break;
    }
    case 0xa0:
      into.other++;
      into.otherKinds.push({ tag: t.tag, oid: otherNameType(buf, t) });
      break;
    case 0xa3:
    case 0xa5:
    case 0x88:
      into.other++;
      into.otherKinds.push({ tag: t.tag });
      break;
    default:
      throw new DerError(`unknown GeneralName tag 0x${t.tag.toString(16)}`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
export function parseGeneralNames(buf: Uint8Array, seq: Tlv): GeneralNames {
  expectTag(seq, TAG.SEQUENCE, 'GeneralNames');
  const out = emptyGeneralNames();
  for (const t of children(buf, seq)) addGeneralName(buf, t, out);
  return out;
}
