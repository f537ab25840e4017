import { X509Certificate, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CertificateParts } from './der.js';

/** Signature algorithm OIDs (DER content, hex) → the digest node's verify() needs; null = pure (EdDSA). */
const DIGESTS = new Map<string, string | null>([
  ['2a864886f70d010104', 'md5'], // md5WithRSAEncryption
  ['2a864886f70d010105', 'sha1'], // sha1WithRSAEncryption
  ['2a864886f70d01010e', 'sha224'],
  ['2a864886f70d01010b', 'sha256'],
  ['2a864886f70d01010c', 'sha384'],
  ['2a864886f70d01010d', 'sha512'],
  ['2a8648ce3d0401', 'sha1'], // ecdsa-with-SHA1
  ['2a8648ce3d040301', 'sha224'],
  ['2a8648ce3d040302', 'sha256'],
  ['2a8648ce3d040303', 'sha384'],
  ['2a8648ce3d040304', 'sha512'],
  ['2a8648ce380403', 'sha1'], // dsa-with-sha1
  ['608648016503040302', 'sha256'], // dsa-with-sha256
  ['2b6570', null], // Ed25519
  ['2b6571', null], // Ed448
]);

export function publicKeyOf(parts: CertificateParts): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(parts.spki), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/**
 * Does `key` verify the certificate's signature? Verifies the TBSCertificate
 * directly (no X509Certificate object); algorithms with parameters (RSA-PSS)
 * go through node's X509Certificate.
 */
export function signatureVerifies(der: Uint8Array, parts: CertificateParts, key: KeyObject): boolean {
  try {
    const oid = Buffer.from(parts.signatureOid).toString('hex');
    const digest = DIGESTS.get(oid);
    if (digest === undefined) return new X509Certificate(der).verify(key);
    return verify(digest, parts.tbs, key, parts.signature);
  } catch {
    return false;
  }
}
