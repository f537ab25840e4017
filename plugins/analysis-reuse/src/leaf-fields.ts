import { der } from '@wildtls/core';

const { DerError, TAG, bytes, decodeOid, decodeString, expectTag, readTlv } = der;

/** What reuse reads from an end-host certificate. */
export interface LeafFields {
  /** SubjectPublicKeyInfo, tag and length included: the key's identity. */
  spki: Uint8Array;
  /** First subject commonName and organizationName, when present and a string type core decodes. */
  cn?: string;
  o?: string;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

/**
 * The SPKI and subject names of a DER certificate, read with core's strict
 * DER reader (the one every analysis uses): a walk over the TBSCertificate's
 * first fields, a few microseconds, no full parse. Throws DerError when the
 * certificate or the fields walked are malformed (a non-minimal length
 * included; see docs/analyses/reuse.md for how often real certificates need
 * leniency: none measured).
 */
export function leafFields(buf: Uint8Array): LeafFields {
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
  const spki = expectTag(readTlv(buf, subject.end, tbs.end), TAG.SEQUENCE, 'subjectPublicKeyInfo');
  return { spki: buf.subarray(spki.start, spki.end), ...subjectNames(buf, subject) };
}

/** The first CN and O of a Name (RDNSequence); a malformed name throws DerError. */
function subjectNames(buf: Uint8Array, name: der.Tlv): { cn?: string; o?: string } {
  const out: { cn?: string; o?: string } = {};
  for (let p = name.body; p < name.end; ) {
    const rdn = expectTag(readTlv(buf, p, name.end), TAG.SET, 'RelativeDistinguishedName');
    p = rdn.end;
    for (let q = rdn.body; q < rdn.end; ) {
      const atv = expectTag(readTlv(buf, q, rdn.end), TAG.SEQUENCE, 'AttributeTypeAndValue');
      q = atv.end;
      const type = readTlv(buf, atv.body, atv.end);
      const value = readTlv(buf, type.end, atv.end);
      const oid = decodeOid(buf, type);
      const key = oid === OID_CN ? 'cn' : oid === OID_O ? 'o' : undefined;
      if (key && out[key] === undefined) out[key] = decodeString(buf, value) ?? latin1(bytes(buf, value));
    }
  }
  return out;
}

/** A string type core does not decode (VisibleString, NumericString...): its bytes as Latin-1, for display. */
function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}
