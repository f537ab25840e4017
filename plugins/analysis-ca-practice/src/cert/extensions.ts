import { der } from '@wildtls/core';
import { CharsetError, addGeneralName, emptyGeneralNames, parseGeneralNames, type GeneralNames, type ParsedName } from './names.js';

const { DerError, TAG, bytes, children, decodeBoolean, decodeOid, decodeSmallInt, expectTag, readTlv } = der;
type Tlv = der.Tlv;

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  nameConstraints: '2.5.29.30',
  authorityKeyId: '2.5.29.35',
  subjectKeyId: '2.5.29.14',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
  crlDistributionPoints: '2.5.29.31',
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  ctPoison: '1.3.6.1.4.1.11129.2.4.3',
  tlsFeature: '1.3.6.1.5.5.7.1.24',
  nsCertType: '2.16.840.1.113730.1.1',
} as const;

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  any: '2.5.29.37.0',
} as const;

/** keyUsage bits as a mask: bit i is the KeyUsage's bit i. */
export const KU = { digitalSignature: 1, keyEncipherment: 4, keyAgreement: 16, keyCertSign: 32, cRLSign: 64 } as const;

/** Extensions whose meaning a scanner's validator processes or may safely ignore when critical. */
const UNDERSTOOD = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.nameConstraints,
  OID.authorityKeyId, OID.subjectKeyId, OID.certificatePolicies, OID.policyConstraints, OID.policyMappings,
  OID.inhibitAnyPolicy,
]);

export interface CertExtensions {
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  keyUsage?: { bits: number; critical: boolean };
  eku?: { oids: string[]; critical: boolean };
  san?: { names: GeneralNames; critical: boolean };
  nameConstraints?: {
    permitted?: GeneralNames;
    excluded?: GeneralNames;
    critical: boolean;
    /** A subtree has a non-zero minimum or a maximum (RFC 5280: MUST NOT). */
    minMax: boolean;
  };
  aki?: {
    keyId?: Uint8Array;
    issuerAndSerial: boolean;
    /** authorityCertSerialNumber (DER INTEGER contents) and the first directoryName of authorityCertIssuer. */
    serial?: Uint8Array;
    issuerName?: ParsedName;
    critical: boolean;
  };
  /** Netscape certificate type, the first byte of its bits (OpenSSL still reads it); -1 when it does not decode. */
  nsCertType?: number;
  /** The extendedKeyUsage is an empty SEQUENCE (malformed, but OpenSSL reads it as "no usage allowed"). */
  ekuEmpty?: boolean;
  /** Every critical extension's OID, in order. */
  critical: string[];
  ski?: { id: Uint8Array; critical: boolean };
  /** Critical extensions not in the understood set: a verifier must reject them. */
  unknownCritical: string[];
  duplicates: string[];
  /** Known extensions whose contents do not parse. */
  malformed: string[];
  /** Of those, the ones that fail only because a name is not printable ASCII (OpenSSL decodes them). */
  charsetOnly: string[];
  count: number;
}

function keyUsageBits(buf: Uint8Array, t: Tlv): number {
  expectTag(t, TAG.BIT_STRING, 'KeyUsage');
  const b = bytes(buf, t);
  if (b.length < 1 || b[0]! > 7) throw new DerError('bad KeyUsage');
  let mask = 0;
  for (let i = 1; i < b.length && i < 3; i++) {
    for (let bit = 0; bit < 8; bit++) if (b[i]! & (0x80 >> bit)) mask |= 1 << ((i - 1) * 8 + bit);
  }
  return mask;
}

function subtrees(buf: Uint8Array, t: Tlv, nc: { minMax: boolean }): GeneralNames {
  const out = emptyGeneralNames();
  for (const st of children(buf, t)) {
    const [base, ...bounds] = children(buf, expectTag(st, TAG.SEQUENCE, 'GeneralSubtree'));
    if (!base) throw new DerError('empty GeneralSubtree');
    addGeneralName(buf, base, out);
    // minimum [0] DEFAULT 0 (present and zero is tolerated, as OpenSSL does), maximum [1].
    for (const b of bounds) if (b.tag !== 0x80 || bytes(buf, b).some((x) => x !== 0)) nc.minMax = true;
  }
  return out;
}

/** The first directoryName of an IMPLICIT GeneralNames, or undefined (also when it does not parse: read for OpenSSL's AKID match only). */
function firstDirName(buf: Uint8Array, t: Tlv): ParsedName | undefined {
  try {
    const names = emptyGeneralNames();
    for (const g of children(buf, t)) addGeneralName(buf, g, names);
    return names.dirNames[0];
  } catch {
    return undefined;
  }
}

function decodeOne(oid: string, buf: Uint8Array, v: Tlv, critical: boolean, ext: CertExtensions): void {
  switch (oid) {
    case OID.basicConstraints: {
      const kids = children(buf, expectTag(v, TAG.SEQUENCE, 'BasicConstraints'));
      let i = 0;
      let ca = false;
      if (kids[i]?.tag === TAG.BOOLEAN) ca = decodeBoolean(buf, kids[i++]!);
      const pathLen = kids[i] ? decodeSmallInt(buf, kids[i++]!) : undefined;
      if (i !== kids.length) throw new DerError('trailing BasicConstraints');
      ext.basicConstraints = { ca, pathLen, critical };
      return;
    }
    case OID.keyUsage:
      ext.keyUsage = { bits: keyUsageBits(buf, v), critical };
      return;
    case OID.extKeyUsage: {
      const oids = children(buf, expectTag(v, TAG.SEQUENCE, 'ExtKeyUsage')).map((k) => decodeOid(buf, k));
      if (oids.length === 0) {
        ext.ekuEmpty = true;
        throw new DerError('empty ExtKeyUsage');
      }
      ext.eku = { oids, critical };
      return;
    }
    case OID.subjectAltName:
      ext.san = { names: parseGeneralNames(buf, v), critical };
      return;
    case OID.nameConstraints: {
      const nc: NonNullable<CertExtensions['nameConstraints']> = { critical, minMax: false };
      for (const k of children(buf, expectTag(v, TAG.SEQUENCE, 'NameConstraints'))) {
        if (k.tag === 0xa0) nc.permitted = subtrees(buf, k, nc);
        else if (k.tag === 0xa1) nc.excluded = subtrees(buf, k, nc);
        else throw new DerError('bad NameConstraints');
      }
      ext.nameConstraints = nc;
      return;
    }
    case OID.authorityKeyId: {
      const aki: NonNullable<CertExtensions['aki']> = { issuerAndSerial: false, critical };
      for (const k of children(buf, expectTag(v, TAG.SEQUENCE, 'AuthorityKeyIdentifier'))) {
        if (k.tag === 0x80) aki.keyId = bytes(buf, k);
        else if (k.tag === 0x82) {
          aki.issuerAndSerial = true;
          aki.serial = bytes(buf, k);
        } else if (k.tag === 0xa1) {
          aki.issuerAndSerial = true;
          aki.issuerName = firstDirName(buf, k);
        } else throw new DerError('bad AuthorityKeyIdentifier');
      }
      ext.aki = aki;
      return;
    }
    case OID.subjectKeyId:
      ext.ski = { id: bytes(buf, expectTag(v, TAG.OCTET_STRING, 'SubjectKeyIdentifier')), critical };
      return;
    case OID.nsCertType: {
      // Not a validity rule of ours (no malformed-extension for it); -1 marks one that does not decode.
      const b = v.tag === TAG.BIT_STRING ? bytes(buf, v) : new Uint8Array();
      ext.nsCertType = b.length < 1 || b[0]! > 7 ? -1 : b[1] ?? 0;
      return;
    }
    case OID.authorityInfoAccess: {
      const ads = children(buf, expectTag(v, TAG.SEQUENCE, 'AuthorityInfoAccessSyntax'));
      if (ads.length === 0) throw new DerError('empty AuthorityInfoAccess');
      for (const ad of ads) {
        const [method, location, more] = children(buf, expectTag(ad, TAG.SEQUENCE, 'AccessDescription'));
        if (!method || !location || more) throw new DerError('bad AccessDescription');
        decodeOid(buf, method);
        addGeneralName(buf, location, emptyGeneralNames());
      }
      return;
    }
    default:
      return;
  }
}

/** Decode the [3] extensions wrapper of a TBSCertificate. */
export function parseExtensions(buf: Uint8Array, wrapper: Tlv | undefined): CertExtensions {
  const ext: CertExtensions = { unknownCritical: [], duplicates: [], malformed: [], charsetOnly: [], critical: [], count: 0 };
  if (!wrapper) return ext;
  const seq = readTlv(buf, wrapper.body, wrapper.end);
  expectTag(seq, TAG.SEQUENCE, 'Extensions');
  if (seq.end !== wrapper.end) throw new DerError('trailing data after Extensions');
  const seen = new Set<string>();
  for (const e of children(buf, seq)) {
    const kids = children(buf, expectTag(e, TAG.SEQUENCE, 'Extension'));
    const oid = decodeOid(buf, kids[0]!);
    let i = 1;
    let critical = false;
    if (kids[i]?.tag === TAG.BOOLEAN) {
      critical = decodeBoolean(buf, kids[i++]!);
      if (!critical) throw new DerError('explicit default FALSE in Extension');
    }
    const octets = expectTag(kids[i], TAG.OCTET_STRING, 'extnValue');
    if (i + 1 !== kids.length) throw new DerError('trailing Extension fields');
    ext.count++;
    if (seen.has(oid)) ext.duplicates.push(oid);
    seen.add(oid);
    if (critical) ext.critical.push(oid);
    if (critical && !UNDERSTOOD.has(oid)) ext.unknownCritical.push(oid);
    try {
      const v = readTlv(buf, octets.body, octets.end);
      if (v.end !== octets.end) throw new DerError('trailing data in extnValue');
      decodeOne(oid, buf, v, critical, ext);
    } catch (err) {
      if (!(err instanceof DerError)) throw err;
      if (UNDERSTOOD.has(oid) || oid === OID.authorityInfoAccess) ext.malformed.push(oid);
      if (err instanceof CharsetError) ext.charsetOnly.push(oid);
    }
  }
  return ext;
}
