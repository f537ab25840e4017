import { X509Certificate, verify } from 'node:crypto';
import type { ParsedCertificate } from '../cert/parse-certificate.js';

/** Signature algorithm OIDs: digest for node:crypto.verify, and the weak ones the CA-practice flags name. */
const SIG_ALGS: Record<string, { hash: string | null; name: string }> = {
  '1.2.840.113549.1.1.2': { hash: 'md2', name: 'md2WithRSA' },
  '1.2.840.113549.1.1.4': { hash: 'md5', name: 'md5WithRSA' },
  '1.2.840.113549.1.1.5': { hash: 'sha1', name: 'sha1WithRSA' },
  '1.2.840.113549.1.1.14': { hash: 'sha224', name: 'sha224WithRSA' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', name: 'sha256WithRSA' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', name: 'sha384WithRSA' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', name: 'sha512WithRSA' },
  '1.2.840.10045.4.1': { hash: 'sha1', name: 'ecdsa-with-SHA1' },
  '1.2.840.10045.4.3.1': { hash: 'sha224', name: 'ecdsa-with-SHA224' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', name: 'ecdsa-with-SHA512' },
  '1.2.840.10040.4.3': { hash: 'sha1', name: 'dsa-with-SHA1' },
  '2.16.840.1.101.3.4.3.1': { hash: 'sha224', name: 'dsa-with-SHA224' },
  '2.16.840.1.101.3.4.3.2': { hash: 'sha256', name: 'dsa-with-SHA256' },
  '1.3.101.112': { hash: null, name: 'Ed25519' },
  '1.3.101.113': { hash: null, name: 'Ed448' },
  '1.2.840.113549.1.1.10': { hash: 'pss', name: 'RSASSA-PSS' },
};

export function signatureAlgorithmName(oid: string): string {
  return SIG_ALGS[oid]?.name ?? oid;
}

/** The digest a signature algorithm uses (md5, sha1, ...), when known. */
export function signatureDigest(oid: string): string | undefined {
  const h = SIG_ALGS[oid]?.hash;
  return h && h !== 'pss' ? h : undefined;
}

/**
 * Does `issuer`'s key verify `child`'s signature? Common algorithms go
 * straight to node:crypto.verify over the TBS bytes; RSASSA-PSS (parameters
 * in the AlgorithmIdentifier) goes through node's X509Certificate.verify.
 */
export function verifySignature(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const key = issuer.publicKey();
  if (!key || child.sigAlgMismatch) return false;
  const alg = SIG_ALGS[child.sigAlg];
  if (!alg) return false;
  try {
    if (alg.hash === 'pss') return new X509Certificate(child.der).verify(key);
    const kt = key.asymmetricKeyType;
    // The signature algorithm must fit the key (an RSA signature under an EC key is a mismatch, not a crash).
    const family = child.sigAlg.startsWith('1.2.840.113549') ? 'rsa' : child.sigAlg.startsWith('1.2.840.10045') ? 'ec' : child.sigAlg === '1.3.101.112' ? 'ed25519' : child.sigAlg === '1.3.101.113' ? 'ed448' : 'dsa';
    if (family !== kt) return false;
    return verify(alg.hash ?? undefined, child.tbs, key, child.signature);
  } catch {
    return false;
  }
}
