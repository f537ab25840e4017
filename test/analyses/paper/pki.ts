/**
 * Certificates for the paper truth tests, with whole subject DNs (the study's
 * Table VI shows them, emailAddress included), built with @peculiar/x509 as
 * the other test PKIs are. Validity is declared around NOW; the tests run the
 * analyses at NOW.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const NOW = new Date(Date.UTC(2026, 0, 15));
const DAY = 86_400_000;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A Name as the truth files write it: one attribute per RDN, in DER order (first RDN first). */
export type SubjectSpec = Array<Record<string, string>>;

export interface Issued {
  der: Buffer;
  b64: string;
  pem: string;
  name: x509.Name;
  keys: CryptoKeyPair;
}

/** The truth files say emailAddress, as OpenSSL prints it; @peculiar/x509 calls it E. */
function jsonName(spec: SubjectSpec): x509.JsonName {
  return spec.map((rdn) => Object.fromEntries(Object.entries(rdn).map(([k, v]) => [k === 'emailAddress' ? 'E' : k, [String(v)]])));
}

export function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

let serial = 1;

export async function issue(o: { subject: SubjectSpec; issuer?: Issued; ca?: boolean; keys?: CryptoKeyPair; expired?: boolean }): Promise<Issued> {
  const keys = o.keys ?? (await keyPair());
  const name = new x509.Name(jsonName(o.subject));
  const exts: x509.Extension[] = [
    new x509.BasicConstraintsExtension(!!o.ca, undefined, true),
    new x509.KeyUsagesExtension(o.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (!o.ca) exts.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  if (o.issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0').replace(/^/, '01'),
    subject: name,
    issuer: o.issuer?.name ?? name,
    notBefore: new Date(NOW.getTime() - (o.expired ? 400 : 30) * DAY),
    notAfter: new Date(NOW.getTime() + (o.expired ? -10 : 365) * DAY),
    signingKey: (o.issuer?.keys ?? keys).privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: exts,
  });
  const der = Buffer.from(cert.rawData);
  return { der, b64: der.toString('base64'), pem: cert.toString('pem'), name, keys };
}
