import { der } from '@wildtls/core';

const { TAG, bytes, decodeOid, decodeString, expectTag, readTlv } = der;

/**
 * Short names for attribute types, as RFC 4514 §3 lists them plus the ones
 * OpenSSL's `-nameopt RFC2253` also prints by name (emailAddress above all:
 * the study's Table VI shows it). Any other type is its dotted OID.
 */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
};

/** ASN.1 string types core does not decode but whose bytes are ASCII: NumericString, VisibleString. */
const ASCII_TAGS = new Set([0x12, 0x1a]);

/** A DN string is for display: longer ones are cut (a hostile certificate may carry thousands of RDNs). */
export const MAX_DN_LENGTH = 1024;

/** What reuse shows of a subject: the whole DN, and its first CN and O. */
export interface SubjectNames {
  dn: string;
  cn?: string;
  o?: string;
}

/**
 * A Name (RDNSequence) as an RFC 4514 string, as OpenSSL's `-nameopt
 * RFC2253` prints it: attributes last to first (within a multi-valued RDN
 * too), RDNs joined with ",", a multi-valued RDN's with "+", values escaped
 * (§2.4; UTF-8 kept as it is, where OpenSSL writes \XX); a value
 * that is not a string type is "#" and the hex of its DER (§2.4). Control
 * characters are escaped as \XX so a DN never breaks a rendered table. The
 * whole Name is walked (a malformed one throws DerError) in one linear pass;
 * the string is cut at MAX_DN_LENGTH, keeping its start (the last RDNs: CN
 * and emailAddress as a rule).
 */
export function readSubject(buf: Uint8Array, name: der.Tlv): SubjectNames {
  const out: SubjectNames = { dn: '' };
  const rdns: string[] = [];
  for (let p = name.body; p < name.end; ) {
    const rdn = expectTag(readTlv(buf, p, name.end), TAG.SET, 'RelativeDistinguishedName');
    p = rdn.end;
    const parts: string[] = [];
    for (let q = rdn.body; q < rdn.end; ) {
      const atv = expectTag(readTlv(buf, q, rdn.end), TAG.SEQUENCE, 'AttributeTypeAndValue');
      q = atv.end;
      const type = expectTag(readTlv(buf, atv.body, atv.end), TAG.OID, 'AttributeType');
      const value = readTlv(buf, type.end, atv.end);
      const oid = decodeOid(buf, type);
      const key = oid === OID_CN ? 'cn' : oid === OID_O ? 'o' : undefined;
      if (key && out[key] === undefined) out[key] = decodeString(buf, value) ?? latin1(bytes(buf, value));
      parts.push(`${SHORT_NAMES[oid] ?? oid}=${valueText(buf, value)}`);
    }
    rdns.push(parts.reverse().join('+'));
  }
  // Rendering everything costs time and memory linear in the certificate's size; only the display is cut.
  const dn = rdns.reverse().join(',');
  out.dn = dn.length > MAX_DN_LENGTH ? `${dn.slice(0, MAX_DN_LENGTH - 1)}…` : dn;
  return out;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

/** A string type core does not decode: its bytes as Latin-1, for display. */
function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function valueText(buf: Uint8Array, v: der.Tlv): string {
  const s = decodeString(buf, v) ?? (ASCII_TAGS.has(v.tag) ? latin1(bytes(buf, v)) : undefined);
  if (s === undefined) return `#${Buffer.from(buf.subarray(v.start, v.end)).toString('hex')}`;
  return escapeValue(s);
}

/** RFC 4514 §2.4, plus control characters as hex pairs. */
export function escapeValue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0').toUpperCase()}`;
    else if ('"+,;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === s.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}
