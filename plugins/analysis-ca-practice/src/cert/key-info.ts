import { der } from '@wildtls/core';

const { TAG, children, decodeOid, expectTag, readTlv } = der;
type Tlv = der.Tlv;

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'dsa' | 'ed25519' | 'ed448' | 'other';

export interface KeyInfo {
  type: KeyType;
  /** Modulus or prime size, curve size; undefined when the key does not parse. */
  bits?: number;
  /** Named curve OID for EC keys. */
  curve?: string;
  /** RSA modulus and exponent (big-endian, no sign byte): imported as a JWK, 20x faster than OpenSSL 3 decoding the DER. */
  rsa?: { n: Uint8Array; e: Uint8Array };
}

function unsigned(buf: Uint8Array, t: Tlv): Uint8Array {
  let i = t.body;
  while (i < t.end - 1 && buf[i] === 0) i++;
  return buf.subarray(i, t.end);
}

const KEY_ALGS: Record<string, KeyType> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};

export const CURVE_BITS: Record<string, number> = {
  '1.2.840.10045.3.1.7': 256, // P-256
  '1.3.132.0.34': 384, // P-384
  '1.3.132.0.35': 521, // P-521
  '1.2.840.10045.3.1.1': 192, // P-192
  '1.3.132.0.33': 224, // P-224
  '1.3.132.0.10': 256, // secp256k1
  '1.3.132.0.8': 160, // secp160r1
  '1.3.36.3.3.2.8.1.1.7': 256, // brainpoolP256r1
  '1.3.36.3.3.2.8.1.1.11': 384, // brainpoolP384r1
  '1.3.36.3.3.2.8.1.1.13': 512, // brainpoolP512r1
};

function integerBits(buf: Uint8Array, t: Tlv): number {
  let i = t.body;
  while (i < t.end && buf[i] === 0) i++;
  if (i === t.end) return 0;
  return (t.end - i - 1) * 8 + (32 - Math.clz32(buf[i]!));
}

/**
 * Key type and size read from the SubjectPublicKeyInfo DER: a leaf's key is
 * never used to verify anything here, and importing it into OpenSSL costs
 * hundreds of microseconds, so only issuers' keys are imported (lazily).
 */
export function keyInfo(buf: Uint8Array, spki: Tlv): KeyInfo {
  const [algT, keyT] = children(buf, spki);
  const [oidT, params] = children(buf, expectTag(algT, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const type = KEY_ALGS[decodeOid(buf, oidT!)] ?? 'other';
  try {
    const bits = expectTag(keyT, TAG.BIT_STRING, 'subjectPublicKey');
    if (type === 'rsa' || type === 'rsa-pss') {
      const seq = readTlv(buf, bits.body + 1, bits.end);
      const [n, e] = children(buf, expectTag(seq, TAG.SEQUENCE, 'RSAPublicKey'));
      const bitsN = integerBits(buf, expectTag(n, TAG.INTEGER, 'modulus'));
      return { type, bits: bitsN, rsa: { n: unsigned(buf, n!), e: unsigned(buf, expectTag(e, TAG.INTEGER, 'publicExponent')) } };
    }
    if (type === 'ec') {
      if (params?.tag !== TAG.OID) return { type };
      const curve = decodeOid(buf, params);
      return { type, curve, bits: CURVE_BITS[curve] };
    }
    if (type === 'dsa') {
      const [p] = params ? children(buf, expectTag(params, TAG.SEQUENCE, 'Dss-Parms')) : [];
      return { type, bits: p ? integerBits(buf, expectTag(p, TAG.INTEGER, 'p')) : undefined };
    }
    if (type === 'ed25519') return { type, bits: 256 };
    if (type === 'ed448') return { type, bits: 456 };
  } catch {
    return { type };
  }
  return { type };
}
