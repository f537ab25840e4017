// Certificates for synthetic results: a few CA certificates and leaf
// "templates" built with @peculiar/x509, then many distinct leaves minted
// from each template by changing the serial number and re-signing the
// TBSCertificate with node:crypto (about 50 µs a leaf instead of 1-2 ms).
import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
export const NOT_BEFORE = new Date('2024-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2030-01-01T00:00:00Z');
export const EXPIRED_AFTER = new Date('2025-01-01T00:00:00Z');
const CA_NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('2040-01-01T00:00:00Z');

async function newKeys() {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

async function nodeKey(privateKey) {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

/** An 8-byte positive serial (first byte 0x01..0x7f) so minted leaves keep the template's length. */
function serialHex(n) {
  return (0x10 + (n % 0x60)).toString(16) + (Math.floor(n / 0x60) % 2 ** 48).toString(16).padStart(14, '0');
}

/**
 * One certificate. subject: "CN=..., O=..."; issuer: { name, keys } or
 * undefined for self-signed; ca: CA or end-entity extensions.
 */
export async function makeCertificate({ subject, issuer, ca, keys, notBefore, notAfter, serial = 1 }) {
  keys ??= await newKeys();
  const exts = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  if (!ca) exts.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(serial),
    subject,
    issuer: issuer?.name ?? subject,
    notBefore: notBefore ?? (ca ? CA_NOT_BEFORE : NOT_BEFORE),
    notAfter: notAfter ?? (ca ? CA_NOT_AFTER : NOT_AFTER),
    signingKey: (issuer?.keys ?? keys).privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: EC,
    extensions: exts,
  });
  return { name: subject, keys, der: Buffer.from(cert.rawData), pem: cert.toString('pem'), signer: await nodeKey((issuer?.keys ?? keys).privateKey) };
}

// --- minimal DER, for re-signing -------------------------------------------

function tlv(b, off) {
  let len = b[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  return { tag: b[off], head: off, start, end: start + len };
}

function encodeLength(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function wrap(tag, content) {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** A template leaf that {@link mint} turns into any number of distinct, correctly signed leaves. */
export function templateOf(cert) {
  const der = cert.der;
  const outer = tlv(der, 0);
  const tbs = tlv(der, outer.start);
  const sigAlg = tlv(der, tbs.end);
  let t = tlv(der, tbs.start);
  if (t.tag === 0xa0) t = tlv(der, t.end);
  if (t.tag !== 0x02 || t.end - t.start !== 8) throw new Error('template serial must be 8 bytes');
  return {
    tbs: Buffer.from(der.subarray(tbs.head, tbs.end)),
    serialAt: t.start - tbs.head,
    sigAlg: Buffer.from(der.subarray(sigAlg.head, sigAlg.end)),
    signer: cert.signer,
  };
}

/** Leaf number n of a template: its serial set to n, re-signed by the template's issuer. */
export function mint(template, n) {
  const tbs = Buffer.from(template.tbs);
  tbs.writeUInt8(0x10 + (n % 0x60), template.serialAt);
  tbs.writeUIntBE(Math.floor(n / 0x60) % 2 ** 48, template.serialAt + 1, 6);
  tbs.writeUInt8(0x5a, template.serialAt + 7);
  const sig = sign('sha256', tbs, template.signer);
  return wrap(0x30, Buffer.concat([tbs, template.sigAlg, wrap(0x03, Buffer.concat([Buffer.from([0]), sig]))]));
}
