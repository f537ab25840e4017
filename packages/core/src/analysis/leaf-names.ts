import { DerError, TAG, decodeOid, decodeString, expectTag, readTlv, type Tlv } from '../der/der.js';

/** A distinguished name as its attributes in order: [OID, text] (text undefined for a non-string value). */
export type NameAttributes = Array<[oid: string, value: string | undefined]>;

export const OID_COMMON_NAME = '2.5.4.3';

/**
 * The issuer and subject names of a DER certificate, TLVs into `buf`: a walk
 * over the TBSCertificate's first fields with core's strict DER reader, no
 * full parse. Throws DerError on malformed input.
 */
export function certificateNames(buf: Uint8Array): { issuer: Tlv; subject: Tlv; tbs: Tlv } {
  const cert = expectTag(readTlv(buf, 0, buf.length), TAG.SEQUENCE, 'Certificate');
  if (cert.end !== buf.length) throw new DerError('trailing data after Certificate');
  const tbs = expectTag(readTlv(buf, cert.body, cert.end), TAG.SEQUENCE, 'TBSCertificate');
  let t = readTlv(buf, tbs.body, tbs.end);
  if (t.tag === 0xa0) t = readTlv(buf, t.end, tbs.end); // [0] version
  expectTag(t, TAG.INTEGER, 'serialNumber');
  const sigAlg = expectTag(readTlv(buf, t.end, tbs.end), TAG.SEQUENCE, 'signature');
  const issuer = expectTag(readTlv(buf, sigAlg.end, tbs.end), TAG.SEQUENCE, 'issuer');
  const validity = expectTag(readTlv(buf, issuer.end, tbs.end), TAG.SEQUENCE, 'validity');
  const subject = expectTag(readTlv(buf, validity.end, tbs.end), TAG.SEQUENCE, 'subject');
  return { issuer, subject, tbs };
}

/** The issuer and subject names of a DER certificate as attributes in order. Throws DerError on malformed input. */
export function leafNames(buf: Uint8Array): { issuer: NameAttributes; subject: NameAttributes } {
  const { issuer, subject } = certificateNames(buf);
  return { issuer: nameAttributes(buf, issuer), subject: nameAttributes(buf, subject) };
}

/** At most this many attributes are read from one name (a hostile certificate's name costs no more). */
const MAX_ATTRIBUTES = 64;

function nameAttributes(buf: Uint8Array, name: Tlv): NameAttributes {
  const out: NameAttributes = [];
  for (let pos = name.body; pos < name.end; ) {
    const rdn = expectTag(readTlv(buf, pos, name.end), TAG.SET, 'RelativeDistinguishedName');
    for (let p = rdn.body; p < rdn.end; ) {
      const atv = expectTag(readTlv(buf, p, rdn.end), TAG.SEQUENCE, 'AttributeTypeAndValue');
      const type = expectTag(readTlv(buf, atv.body, atv.end), TAG.OID, 'attribute type');
      const value = readTlv(buf, type.end, atv.end);
      if (out.length >= MAX_ATTRIBUTES) throw new DerError('too many name attributes');
      out.push([decodeOid(buf, type), decodeString(buf, value)]);
      p = atv.end;
    }
    pos = rdn.end;
  }
  return out;
}
