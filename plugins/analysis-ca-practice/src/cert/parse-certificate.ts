import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { der } from '@wildtls/core';
import { parseExtensions, type CertExtensions } from './extensions.js';
import { keyInfo, type KeyInfo, type KeyType } from './key-info.js';
import { OID_CN, nameAttributes, parseName, type ParsedName } from './names.js';

const { DerError, TAG, bytes, children, decodeOid, decodeSmallInt, decodeTime, expectTag, readTlv } = der;

export type { KeyType } from './key-info.js';

export interface ParsedCertificate {
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
  der: Buffer;
  version: number;
  serial: Uint8Array;
  /** Outer signatureAlgorithm OID, and whether the TBS copy matches it exactly. */
  sigAlg: string;
  sigAlgMismatch: boolean;
  sigAlgDer: Uint8Array;
  signature: Uint8Array;
  tbs: Uint8Array;
  issuer: ParsedName;
  subject: ParsedName;
  notBefore: number;
  notAfter: number;
  spki: Uint8Array;
  /** SHA-256 of the SPKI, hex: identifies the key across certificates. */
  spkiHash: string;
  keyAlg: string;
  /** An EC key with explicit curve parameters instead of a named curve. */
  ecExplicitParams: boolean;
  ext: CertExtensions;
  /** Issuer and subject names are equal (RFC 5280 "self-issued"). */
  selfIssued: boolean;
  commonNames: string[];
  /** Lazily built public key (undefined when the key does not load). */
  publicKey(): KeyObject | undefined;
  keyType(): KeyType;
  keyBits(): number | undefined;
  key: KeyInfo;
}

/** Parse one DER certificate; throws DerError when it is not a well-formed X.509 certificate. */
export function parseCertificate(der: Buffer, fingerprint?: string): ParsedCertificate {
  const top = readTlv(der, 0, der.length);
  if (top.end !== der.length) throw new DerError('trailing data after Certificate');
  const [tbsT, algT, sigT, extra] = children(der, expectTag(top, TAG.SEQUENCE, 'Certificate'));
  if (!tbsT || !algT || !sigT || extra) throw new DerError('Certificate needs 3 fields');
  expectTag(tbsT, TAG.SEQUENCE, 'TBSCertificate');
  const sigAlg = decodeOid(der, children(der, expectTag(algT, TAG.SEQUENCE, 'AlgorithmIdentifier'))[0]!);
  const sigBits = bytes(der, expectTag(sigT, TAG.BIT_STRING, 'signature'));
  if (sigBits.length < 1 || sigBits[0] !== 0) throw new DerError('signature with unused bits');

  const f = children(der, tbsT);
  let i = 0;
  let version = 1;
  if (f[i]?.tag === 0xa0) {
    const v = readTlv(der, f[i]!.body, f[i]!.end);
    version = decodeSmallInt(der, v) + 1;
    if (version === 1) throw new DerError('explicit default version');
    if (version > 3) throw new DerError('unknown version');
    i++;
  }
  const serial = bytes(der, expectTag(f[i++], TAG.INTEGER, 'serialNumber'));
  const tbsAlg = expectTag(f[i++], TAG.SEQUENCE, 'signature');
  const issuer = parseName(der, f[i++]!);
  const [nb, na, more] = children(der, expectTag(f[i++], TAG.SEQUENCE, 'Validity'));
  if (!nb || !na || more) throw new DerError('bad Validity');
  const notBefore = decodeTime(der, nb);
  const notAfter = decodeTime(der, na);
  const subject = parseName(der, f[i++]!);
  const spkiT = expectTag(f[i++], TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const [keyAlgOid, keyParams] = children(der, expectTag(children(der, spkiT)[0], TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const keyAlg = decodeOid(der, keyAlgOid!);
  // ECDSA keys must name their curve; explicit parameters are refused by the Web PKI (and hide weak curves).
  const ecExplicitParams = keyAlg === '1.2.840.10045.2.1' && keyParams?.tag !== TAG.OID;
  if (f[i]?.tag === 0x81) i++;
  if (f[i]?.tag === 0x82) i++;
  let extT;
  if (f[i]?.tag === 0xa3) {
    if (version !== 3) throw new DerError('extensions in a v1/v2 certificate');
    extT = f[i++];
  }
  if (i !== f.length) throw new DerError('unexpected TBSCertificate field');
  const ext = parseExtensions(der, extT);

  const spki = der.subarray(spkiT.start, spkiT.end);
  const key_ = keyInfo(der, spkiT);
  let key: KeyObject | undefined | null = null;
  const publicKey = () => {
    if (key === null) {
      try {
        const r = key_.type === 'rsa' ? key_.rsa : undefined;
        key = r
          ? createPublicKey({ key: { kty: 'RSA', n: Buffer.from(r.n).toString('base64url'), e: Buffer.from(r.e).toString('base64url') }, format: 'jwk' })
          : createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      } catch {
        key = undefined;
      }
    }
    return key;
  };
  const keyType = () => key_.type;
  const keyBits = () => key_.bits;
  const algDer = der.subarray(algT.start, algT.end);
  return {
    fingerprint: fingerprint ?? createHash('sha256').update(der).digest('hex'),
    der,
    version,
    serial,
    sigAlg,
    sigAlgDer: algDer,
    sigAlgMismatch: !Buffer.from(algDer).equals(der.subarray(tbsAlg.start, tbsAlg.end)),
    signature: sigBits.subarray(1),
    tbs: der.subarray(tbsT.start, tbsT.end),
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    spkiHash: createHash('sha256').update(spki).digest('hex'),
    keyAlg,
    ecExplicitParams,
    ext,
    selfIssued: issuer.key === subject.key,
    commonNames: nameAttributes(subject, OID_CN),
    publicKey,
    keyType,
    keyBits,
    key: key_,
  };
}
