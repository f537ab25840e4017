/**
 * Just enough DER to find a certificate's issuer, subject and public key
 * without a full parse: a walk over the TBSCertificate's first fields costs
 * microseconds, where building an X509Certificate costs a hundred or more.
 */
export interface CertificateParts {
  /** TBSCertificate, tag and length included: the signed bytes. */
  tbs: Uint8Array;
  /** OID of the outer signatureAlgorithm, content bytes only. */
  signatureOid: Uint8Array;
  /** The signature BIT STRING's bits (unused-bits byte dropped). */
  signature: Uint8Array;
  notBefore: number;
  notAfter: number;
  issuer: Uint8Array;
  subject: Uint8Array;
  /** SubjectPublicKeyInfo, tag and length included. */
  spki: Uint8Array;
}

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  head: number;
  /** Offset of the content. */
  start: number;
  end: number;
}

function readTlv(b: Uint8Array, off: number, limit: number): Tlv {
  if (off + 2 > limit) throw new RangeError('DER: truncated');
  const tag = b[off]!;
  let len = b[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new RangeError('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new RangeError('DER: length past the end');
  return { tag, head: off, start, end };
}

/** Issuer, subject and SPKI of a DER certificate; throws RangeError on malformed input. */
export function certificateParts(der: Uint8Array): CertificateParts {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== 0x30) throw new RangeError('DER: not a SEQUENCE');
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs.tag !== 0x30) throw new RangeError('DER: TBSCertificate is not a SEQUENCE');
  let t = readTlv(der, tbs.start, tbs.end);
  if (t.tag === 0xa0) t = readTlv(der, t.end, tbs.end); // [0] version
  if (t.tag !== 0x02) throw new RangeError('DER: no serial number');
  const fields: Tlv[] = [];
  for (let i = 0; i < 5; i++) {
    t = readTlv(der, t.end, tbs.end);
    if (t.tag !== 0x30) throw new RangeError('DER: unexpected TBSCertificate field');
    fields.push(t);
  }
  const [, issuer, validity, subject, spki] = fields as [Tlv, Tlv, Tlv, Tlv, Tlv];
  const alg = readTlv(der, tbs.end, cert.end);
  const oid = readTlv(der, alg.start, alg.end);
  const sig = readTlv(der, alg.end, cert.end);
  if (oid.tag !== 0x06 || sig.tag !== 0x03 || sig.end - sig.start < 2) throw new RangeError('DER: bad signature');
  const nb = readTlv(der, validity.start, validity.end);
  const na = readTlv(der, nb.end, validity.end);
  return {
    tbs: der.subarray(tbs.head, tbs.end),
    signatureOid: der.subarray(oid.start, oid.end),
    signature: der.subarray(sig.start + 1, sig.end),
    notBefore: readTime(der, nb),
    notAfter: readTime(der, na),
    issuer: der.subarray(issuer.head, issuer.end),
    subject: der.subarray(subject.head, subject.end),
    spki: der.subarray(spki.head, spki.end),
  };
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as epoch milliseconds; NaN when malformed. */
function readTime(b: Uint8Array, t: Tlv): number {
  const s = Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('latin1');
  let m: RegExpExecArray | null;
  if (t.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    const yy = Number(m[1]);
    return Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  if (t.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s))) {
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  return NaN;
}

const OID_CN = [0x55, 0x04, 0x03];
const OID_O = [0x55, 0x04, 0x0a];

/** The first commonName and organizationName of a DER Name; undefined when absent or malformed. */
export function nameAttributes(name: Uint8Array): { cn?: string; o?: string } {
  const out: { cn?: string; o?: string } = {};
  try {
    const seq = readTlv(name, 0, name.length);
    for (let p = seq.start; p < seq.end; ) {
      const set = readTlv(name, p, seq.end);
      p = set.end;
      for (let q = set.start; q < set.end; ) {
        const atv = readTlv(name, q, set.end);
        q = atv.end;
        const oid = readTlv(name, atv.start, atv.end);
        const value = readTlv(name, oid.end, atv.end);
        const id = name.subarray(oid.start, oid.end);
        const key = sameBytes(id, OID_CN) ? 'cn' : sameBytes(id, OID_O) ? 'o' : undefined;
        if (key && out[key] === undefined) out[key] = decodeString(value.tag, name.subarray(value.start, value.end));
      }
    }
  } catch {
    // A malformed name yields what was read so far.
  }
  return out;
}

function decodeString(tag: number, bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag === 0x1e && buf.length % 2 === 0) return Buffer.from(buf).swap16().toString('utf16le'); // BMPString (UTF-16BE)
  if (tag === 0x14) return buf.toString('latin1'); // T61String, read as Latin-1
  return buf.toString('utf8');
}

function sameBytes(a: Uint8Array, b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
