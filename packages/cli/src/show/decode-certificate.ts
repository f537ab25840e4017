import { X509Certificate, createHash } from 'node:crypto';

/** What a person wants to see of one certificate. Strings are as decoded: escape them before printing. */
export interface CertificateView {
  subject: string;
  issuer: string;
  /** subjectAltName entries as OpenSSL prints them (DNS:..., IP Address:...). */
  sans: string[];
  notBefore: string;
  notAfter: string;
  /** rsa, ec, ed25519, dsa, ...; bits when known; curve for EC keys. */
  key: { type: string; bits?: number; curve?: string };
  sha256: string;
  selfIssued: boolean;
}

// Sizes of the curves OpenSSL names (asymmetricKeyDetails gives the name only).
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, prime192v1: 192, brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512 };
const FIXED_BITS: Record<string, number> = { ed25519: 256, ed448: 456, x25519: 256, x448: 448 };

/** Decode one base64 DER certificate; a certificate that does not parse gives its fingerprint and the parser's message. */
export function decodeCertificate(b64: string): CertificateView | { undecodable: string; sha256: string } {
  const der = Buffer.from(b64, 'base64');
  let c: X509Certificate;
  try {
    c = new X509Certificate(der);
  } catch (err) {
    return { undecodable: (err as Error).message, sha256: sha256Of(der) };
  }
  const details = c.publicKey.asymmetricKeyDetails ?? {};
  const type = c.publicKey.asymmetricKeyType ?? 'unknown';
  const bits = details.modulusLength ?? (details.namedCurve ? CURVE_BITS[details.namedCurve] : FIXED_BITS[type]);
  return {
    subject: oneName(c.subject),
    issuer: oneName(c.issuer),
    sans: c.subjectAltName ? c.subjectAltName.split(', ') : [],
    notBefore: iso(c.validFrom),
    notAfter: iso(c.validTo),
    key: { type, ...(bits !== undefined ? { bits } : {}), ...(details.namedCurve ? { curve: details.namedCurve } : {}) },
    sha256: c.fingerprint256,
    selfIssued: c.subject === c.issuer,
  };
}

/** OpenSSL prints one attribute a line; one line reads better. */
function oneName(name: string): string {
  return name.split('\n').join(', ');
}

function iso(openssl: string): string {
  const t = Date.parse(openssl);
  return Number.isNaN(t) ? openssl : new Date(t).toISOString();
}

/** In fingerprint256's form (upper-case hex pairs joined by colons). */
function sha256Of(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
