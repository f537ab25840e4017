import { createHash } from 'node:crypto';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_pkix_ocsp_basic, type SingleResponse } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { OcspVerdict } from '../src/ocsp-response.js';

const HASHES: Record<string, string> = { '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };

/** judgeStapledOcsp over a full ASN.1 parse (@peculiar/asn1-ocsp): the reference the DER walk is checked against. */
export function referenceJudge(responseB64: string, leafB64: string | undefined, at: Date): OcspVerdict {
  let single: SingleResponse | undefined;
  try {
    const res = AsnConvert.parse(Buffer.from(responseB64, 'base64'), OCSPResponse);
    if (res.responseStatus !== OCSPResponseStatus.successful) return { kind: 'not-successful', status: OCSPResponseStatus[res.responseStatus] ?? `status ${res.responseStatus}` };
    if (!res.responseBytes || res.responseBytes.responseType !== id_pkix_ocsp_basic) return { kind: 'unparsable' };
    const basic = AsnConvert.parse(res.responseBytes.response.buffer, BasicOCSPResponse);
    if (!leafB64) return { kind: 'not-for-leaf' };
    const leaf = AsnConvert.parse(Buffer.from(leafB64, 'base64'), Certificate).tbsCertificate;
    const serial = unsigned(leaf.serialNumber);
    const issuerDer = Buffer.from(AsnConvert.serialize(leaf.issuer));
    single = basic.tbsResponseData.responses.find((s) => {
      if (!unsigned(s.certID.serialNumber).equals(serial)) return false;
      const hash = HASHES[s.certID.hashAlgorithm.algorithm];
      return !hash || createHash(hash).update(issuerDer).digest().equals(Buffer.from(s.certID.issuerNameHash.buffer));
    });
  } catch {
    return { kind: 'unparsable' };
  }
  if (!single) return { kind: 'not-for-leaf' };
  const st = single.certStatus;
  const kind = st.revoked ? 'revoked' : st.unknown !== undefined ? 'unknown' : st.good !== undefined ? 'good' : undefined;
  if (!kind) return { kind: 'unparsable' };
  return { kind, stale: single.nextUpdate !== undefined && single.nextUpdate.getTime() < at.getTime() };
}

function unsigned(b: ArrayBuffer): Buffer {
  let v = Buffer.from(b);
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return v;
}
