import { certificateNames, der } from '@wildtls/core';
import { readSubject } from './subject-dn.js';

const { TAG, expectTag, readTlv } = der;

/** What reuse reads from an end-host certificate. */
export interface LeafFields {
  /** SubjectPublicKeyInfo, tag and length included: the key's identity. */
  spki: Uint8Array;
  /** The whole subject DN as an RFC 4514 string (emailAddress by name), cut at 1024 characters. */
  subject: string;
  /** First subject commonName and organizationName, when present. */
  cn?: string;
  o?: string;
}

/**
 * The SPKI and subject names of a DER certificate, read with core's strict
 * DER reader (the one every analysis uses): a walk over the TBSCertificate's
 * first fields, a few microseconds, no full parse. Throws DerError when the
 * certificate or the fields walked are malformed (a non-minimal length
 * included; see docs/analyses/reuse.md for how often real certificates need
 * leniency: none measured).
 */
export function leafFields(buf: Uint8Array): LeafFields {
  const { subject, tbs } = certificateNames(buf);
  const spki = expectTag(readTlv(buf, subject.end, tbs.end), TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const { dn, cn, o } = readSubject(buf, subject);
  return { spki: buf.subarray(spki.start, spki.end), subject: dn, cn, o };
}
