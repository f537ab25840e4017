import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  der: Buffer;
}

export interface TestChain {
  root: TestCertificate;
  intermediate: TestCertificate;
  leaf: TestCertificate;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function issue(opts: {
  subject: string;
  issuer?: { name: string; key: CryptoKey };
  ca: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  keyType?: 'rsa' | 'ec';
  notBefore?: Date;
  notAfter?: Date;
}): Promise<TestCertificate & { key: CryptoKey }> {
  const alg = opts.keyType === 'ec' ? EC : RSA;
  const keys = (await webcrypto.subtle.generateKey(alg as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const exts: x509.Extension[] = [new x509.BasicConstraintsExtension(opts.ca, undefined, true)];
  exts.push(new x509.KeyUsagesExtension(opts.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true));
  if (!opts.ca) {
    exts.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
    const names = [...(opts.dnsNames ?? []).map((v) => ({ type: 'dns' as const, value: v })), ...(opts.ipAddresses ?? []).map((v) => ({ type: 'ip' as const, value: v }))];
    if (names.length) exts.push(new x509.SubjectAlternativeNameExtension(names));
  }
  exts.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    subject: opts.subject,
    issuer: opts.issuer?.name ?? opts.subject,
    notBefore: opts.notBefore ?? new Date(now - 3600_000),
    notAfter: opts.notAfter ?? new Date(now + 90 * 86400_000),
    signingKey: opts.issuer?.key ?? keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: alg,
    extensions: exts,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  // Trailing newlines so PEMs can be concatenated into bundle files (OpenSSL needs them).
  return { certPem: cert.toString('pem') + '\n', keyPem: pemKey(pkcs8), der: Buffer.from(cert.rawData), key: keys.privateKey };
}

/** A self-signed server certificate for loopback tests and the demo. */
export async function selfSignedCertificate(opts: { commonName?: string; dnsNames?: string[]; keyType?: 'rsa' | 'ec'; notAfter?: Date } = {}): Promise<TestCertificate> {
  const cn = opts.commonName ?? 'localhost';
  const c = await issue({ subject: `CN=${cn}`, ca: false, dnsNames: opts.dnsNames ?? [cn], ipAddresses: ['127.0.0.1'], keyType: opts.keyType, notAfter: opts.notAfter });
  return { certPem: c.certPem, keyPem: c.keyPem, der: c.der };
}

/** Root → intermediate → leaf, all freshly generated. */
export async function certificateChain(opts: { leafName?: string; keyType?: 'rsa' | 'ec'; leafNotAfter?: Date } = {}): Promise<TestChain> {
  const root = await issue({ subject: 'CN=wildtls test root, O=wildtls tests', ca: true, keyType: opts.keyType });
  const inter = await issue({ subject: 'CN=wildtls test intermediate, O=wildtls tests', ca: true, issuer: { name: 'CN=wildtls test root, O=wildtls tests', key: root.key }, keyType: opts.keyType });
  const name = opts.leafName ?? 'localhost';
  const leaf = await issue({ subject: `CN=${name}`, ca: false, dnsNames: [name], ipAddresses: ['127.0.0.1'], issuer: { name: 'CN=wildtls test intermediate, O=wildtls tests', key: inter.key }, keyType: opts.keyType, notAfter: opts.leafNotAfter });
  const strip = (c: TestCertificate & { key: CryptoKey }): TestCertificate => ({ certPem: c.certPem, keyPem: c.keyPem, der: c.der });
  return { root: strip(root), intermediate: strip(inter), leaf: strip(leaf) };
}
