import { createHash } from 'node:crypto';
import { der } from '@wildtls/core';

// A DER walk over the few fields needed: a full ASN.1 parse (@peculiar/asn1-ocsp, which the tests
// check this against) costs about 1 ms per response, this about 10 µs (bench/ocsp.mjs). Any malformation throws.
const { TAG, bytes, children, decodeOid, expectTag, readTlv } = der;
type Tlv = der.Tlv;

/** What a stapled OCSP response says about the certificate it was stapled to. */
export type OcspVerdict =
  | { kind: 'unparsable' }
  | { kind: 'not-successful'; status: string }
  | { kind: 'not-for-leaf' }
  | { kind: 'good' | 'revoked' | 'unknown'; stale: boolean };

// RFC 6960 OCSPResponseStatus.
const STATUS: Record<number, string> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
const BASIC = '1.3.6.1.5.5.7.48.1.1';
// CertID hash algorithms (RFC 6960 allows any; responders use SHA-1, sometimes SHA-2).
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

interface Single {
  hash: string | undefined;
  issuerNameHash: Buffer;
  serial: Buffer;
  status: 'good' | 'revoked' | 'unknown' | undefined;
  nextUpdate: number | undefined;
}

/**
 * Reads a stapled OCSP response (base64 DER, `tls.ocspResponse`) against the
 * leaf it came with (base64 DER, `tls.chain[0]`), at the scan time `at`: the
 * response status, then the SingleResponse for the leaf (same serial, and the
 * same issuer-name hash when the hash algorithm is known), its certStatus, and
 * whether its nextUpdate had passed. The responder's signature is not checked.
 */
export function judgeStapledOcsp(responseB64: string, leafB64: string | undefined, at: Date): OcspVerdict {
  let single: Single | undefined;
  try {
    const res = Buffer.from(responseB64, 'base64');
    const top = children(res, expectTag(readTlv(res, 0, res.length), TAG.SEQUENCE, 'OCSPResponse'));
    const status = view(bytes(res, expectTag(top[0], 0x0a, 'responseStatus')));
    if (status.length !== 1) return { kind: 'unparsable' };
    const code = status.readInt8(0); // ENUMERATED is a signed integer
    if (code !== 0) return { kind: 'not-successful', status: STATUS[code] ?? `status ${code}` };
    const body = children(res, expectTag(children(res, expectTag(top[1], 0xa0, 'responseBytes'))[0], TAG.SEQUENCE, 'ResponseBytes'));
    if (decodeOid(res, expectTag(body[0], TAG.OID, 'responseType')) !== BASIC) return { kind: 'unparsable' };
    const responses = singleResponses(view(bytes(res, expectTag(body[1], TAG.OCTET_STRING, 'response'))));
    if (!leafB64) return { kind: 'not-for-leaf' };
    const leaf = serialAndIssuer(Buffer.from(leafB64, 'base64'));
    single = responses.find((s) => s.serial.equals(leaf.serial) && (!s.hash || createHash(s.hash).update(leaf.issuer).digest().equals(s.issuerNameHash)));
  } catch {
    return { kind: 'unparsable' };
  }
  if (!single) return { kind: 'not-for-leaf' };
  if (!single.status) return { kind: 'unparsable' };
  return { kind: single.status, stale: single.nextUpdate !== undefined && single.nextUpdate < at.getTime() };
}

/** BasicOCSPResponse -> tbsResponseData -> responses. */
function singleResponses(b: Buffer): Single[] {
  const basic = children(b, expectTag(readTlv(b, 0, b.length), TAG.SEQUENCE, 'BasicOCSPResponse'));
  const data = children(b, expectTag(basic[0], TAG.SEQUENCE, 'ResponseData'));
  // [0] version (optional), responderID ([1] or [2]), producedAt, responses.
  let i = data[0]?.tag === 0xa0 ? 1 : 0;
  i++; // responderID
  expectTag(data[i++], TAG.GENERALIZED_TIME, 'producedAt');
  return children(b, expectTag(data[i], TAG.SEQUENCE, 'responses')).map((s) => singleResponse(b, s));
}

function singleResponse(b: Buffer, t: Tlv): Single {
  const f = children(b, expectTag(t, TAG.SEQUENCE, 'SingleResponse'));
  const id = children(b, expectTag(f[0], TAG.SEQUENCE, 'CertID'));
  const alg = children(b, expectTag(id[0], TAG.SEQUENCE, 'hashAlgorithm'));
  const st = f[1];
  const status = st?.tag === 0x80 ? 'good' : st?.tag === 0xa1 ? 'revoked' : st?.tag === 0x82 ? 'unknown' : undefined;
  expectTag(f[2], TAG.GENERALIZED_TIME, 'thisUpdate');
  const next = f[3]?.tag === 0xa0 ? generalizedTime(b, expectTag(children(b, f[3])[0], TAG.GENERALIZED_TIME, 'nextUpdate')) : undefined;
  return {
    hash: HASHES[decodeOid(b, expectTag(alg[0], TAG.OID, 'hash OID'))],
    issuerNameHash: view(bytes(b, expectTag(id[1], TAG.OCTET_STRING, 'issuerNameHash'))),
    serial: unsigned(view(bytes(b, expectTag(id[3], TAG.INTEGER, 'serialNumber')))),
    status,
    nextUpdate: next,
  };
}

/** A certificate's serial number and issuer Name (DER, header included). */
function serialAndIssuer(cert: Buffer): { serial: Buffer; issuer: Buffer } {
  const tbs = children(cert, expectTag(children(cert, expectTag(readTlv(cert, 0, cert.length), TAG.SEQUENCE, 'Certificate'))[0], TAG.SEQUENCE, 'TBSCertificate'));
  let i = tbs[0]?.tag === 0xa0 ? 1 : 0; // [0] version
  const serial = unsigned(view(bytes(cert, expectTag(tbs[i++], TAG.INTEGER, 'serialNumber'))));
  i++; // signature AlgorithmIdentifier
  const issuer = expectTag(tbs[i], TAG.SEQUENCE, 'issuer');
  return { serial, issuer: cert.subarray(issuer.start, issuer.end) };
}

/** GeneralizedTime as epoch ms; fractional seconds allowed (RFC 6960 does not forbid them, unlike RFC 5280). */
function generalizedTime(b: Uint8Array, t: Tlv): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(view(bytes(b, t)).toString('latin1'));
  if (!m) throw new der.DerError('bad GeneralizedTime');
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** A Buffer over the same bytes (no copy). */
function view(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** An INTEGER's bytes without its sign-padding zeros. */
function unsigned(v: Buffer): Buffer {
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return v;
}
