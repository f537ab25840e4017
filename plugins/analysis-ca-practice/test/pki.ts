/** Certificates for the unit tests, built with @peculiar/x509 (what it does well) and re-signed with node:crypto where WebCrypto cannot (MD5). */
import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface Issued {
  der: Buffer;
  b64: string;
  pem: string;
  name: string;
  keys: CryptoKeyPair;
}

export interface IssueOptions {
  name: string;
  issuer?: Issued;
  ca?: boolean;
  pathLen?: number;
  dns?: string[];
  ips?: string[];
  eku?: string[];
  rsaBits?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Omit basicConstraints (a leaf without them, or a broken CA). */
  noBasicConstraints?: boolean;
  /** This key pair instead of a new one: one CA key in two certificates (cross-signing, re-issuance). */
  keys?: CryptoKeyPair;
}

const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 0, 15);

async function keyPair(rsaBits?: number): Promise<CryptoKeyPair> {
  const alg = rsaBits
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: rsaBits }
    : { name: 'ECDSA', namedCurve: 'P-256' };
  return (await webcrypto.subtle.generateKey(alg as never, true, ['sign', 'verify'])) as CryptoKeyPair;
}

let serial = 1;

export async function issue(o: IssueOptions): Promise<Issued> {
  const keys = o.keys ?? (await keyPair(o.rsaBits));
  const signer = o.issuer?.keys ?? keys;
  const exts: x509.Extension[] = [];
  if (!o.noBasicConstraints) exts.push(new x509.BasicConstraintsExtension(!!o.ca, o.pathLen, true));
  exts.push(new x509.KeyUsagesExtension(o.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true));
  if (!o.ca) {
    exts.push(new x509.ExtendedKeyUsageExtension(o.eku ?? [x509.ExtendedKeyUsage.serverAuth]));
    const names = [...(o.dns ?? []).map((v) => ({ type: 'dns' as const, value: v })), ...(o.ips ?? []).map((v) => ({ type: 'ip' as const, value: v }))];
    if (names.length) exts.push(new x509.SubjectAlternativeNameExtension(names));
  }
  exts.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (o.issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey));
  const signAlg = signer.privateKey.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0').replace(/^/, '01'),
    subject: `CN=${o.name}`,
    issuer: o.issuer ? `CN=${o.issuer.name}` : `CN=${o.name}`,
    notBefore: o.notBefore ?? new Date(NOW - 30 * DAY),
    notAfter: o.notAfter ?? new Date(NOW + 90 * DAY),
    signingKey: signer.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: signAlg,
    extensions: exts,
  });
  const der = Buffer.from(cert.rawData);
  return { der, b64: der.toString('base64'), pem: cert.toString('pem'), name: o.name, keys };
}

const SHA256_RSA = Buffer.from('2a864886f70d01010b', 'hex');
const OTHER_RSA: Record<'sha1' | 'md5', Buffer> = {
  sha1: Buffer.from('2a864886f70d010105', 'hex'),
  md5: Buffer.from('2a864886f70d010104', 'hex'),
};

/** Re-sign an RSA-signed certificate with another digest: swap the algorithm OIDs (same length) and sign the new TBS. */
export async function resign(c: Issued, issuer: Issued, digest: 'sha1' | 'md5'): Promise<Issued> {
  const der = Buffer.from(c.der);
  let at = der.indexOf(SHA256_RSA);
  while (at >= 0) {
    OTHER_RSA[digest].copy(der, at);
    at = der.indexOf(SHA256_RSA, at + 1);
  }
  // Certificate ::= SEQUENCE { tbs, alg, sig }: the TBS starts after the outer header.
  const hdr = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const tbsLenBytes = der[hdr + 1]! & 0x80 ? der[hdr + 1]! & 0x7f : 0;
  let tbsLen = tbsLenBytes ? 0 : der[hdr + 1]!;
  for (let i = 0; i < tbsLenBytes; i++) tbsLen = tbsLen * 256 + der[hdr + 2 + i]!;
  const tbsEnd = hdr + 2 + tbsLenBytes + tbsLen;
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', issuer.keys.privateKey)), format: 'der', type: 'pkcs8' });
  const sig = sign(digest, der.subarray(hdr, tbsEnd), key);
  // RSA signatures have the modulus length: the new one fits exactly where the old one was.
  sig.copy(der, der.length - sig.length);
  return { ...c, der, b64: der.toString('base64'), pem: '' };
}

/** Flip one bit in the signature: the issuer's key no longer verifies it. */
export function corruptSignature(c: Issued): Issued {
  const der = Buffer.from(c.der);
  der[der.length - 5]! ^= 0x01;
  return { ...c, der, b64: der.toString('base64') };
}
