// The test PKI of synthetic populations: a trusted root and an intermediate,
// an untrusted root (all ECDSA P-256), leaves of a declared class and key type
// (RSA-2048 or ECDSA P-256, as the fixture record whose chain they replace),
// and whole subject DNs (the study's Table VI shows them). Many distinct
// leaves are minted from one template by changing the serial number and
// re-signing the TBSCertificate with node:crypto: about 35 µs a leaf under an
// ECDSA issuer, about 0.8 ms for a self-signed RSA-2048 leaf.
import 'reflect-metadata';
import { generateKeyPair, sign, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const DAY = 86_400_000;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const generate = promisify(generateKeyPair);

/** The key types a leaf can have here (fixture-library.mjs leafKeyType's names). */
export const KEY_TYPES = ['rsa-2048', 'ec-P-256'];

/**
 * A key pair of a key type: RSA keys are generated on libuv's thread pool
 * (about 0.3 s each), so a caller that needs several asks for them together.
 */
export async function newKey(keyType) {
  if (keyType === 'ec-P-256') return importKeys(await generate('ec', { namedCurve: 'P-256' }), EC);
  if (keyType === 'rsa-2048') return importKeys(await generate('rsa', { modulusLength: 2048, publicExponent: 65537 }), RSA);
  throw new Error(`no key type ${keyType} (have ${KEY_TYPES.join(', ')})`);
}

async function importKeys({ publicKey, privateKey }, alg) {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const importAlg = alg.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: alg.name, hash: 'SHA-256' };
  return {
    alg,
    publicKey: await webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']),
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, true, ['sign']),
    node: privateKey,
  };
}

/** A Name from "CN=a, O=b" or from RDNs in DER order ([{ C: DE }, { CN: x }]; emailAddress as OpenSSL names it). */
function nameOf(subject) {
  if (typeof subject === 'string') return new x509.Name(subject);
  return new x509.Name(subject.map((rdn) => Object.fromEntries(Object.entries(rdn).map(([k, v]) => [k === 'emailAddress' ? 'E' : k, [String(v)]]))));
}

let serials = 1;
/** An 8-byte positive serial (first byte 0x10..0x6f) so minted leaves keep the template's length. */
function serialHex(n) {
  return (0x10 + (n % 0x60)).toString(16) + (Math.floor(n / 0x60) % 2 ** 48).toString(16).padStart(14, '0');
}

/**
 * One certificate. subject: see nameOf; issuer: an issued CA or undefined
 * (self-signed); keys: from newKey; validity: [notBefore, notAfter].
 */
export async function issue({ subject, issuer, ca = false, keys, validity }) {
  const name = nameOf(subject);
  const signer = issuer?.keys ?? keys;
  const exts = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | (keys.alg.name === 'ECDSA' ? 0 : x509.KeyUsageFlags.keyEncipherment), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  if (!ca) exts.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(serials++),
    subject: name,
    issuer: issuer?.name ?? name,
    notBefore: validity[0],
    notAfter: validity[1],
    signingKey: signer.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: signer.alg,
    extensions: exts,
  });
  const der = Buffer.from(cert.rawData);
  return { name, keys, der, b64: der.toString('base64'), pem: cert.toString('pem') };
}

/**
 * The CAs of a population at `at`: a trusted root, an intermediate under it
 * and an untrusted root, valid ten years either side.
 */
export async function certificateAuthorities(at) {
  const t = at.getTime();
  const validity = [new Date(t - 3650 * DAY), new Date(t + 3650 * DAY)];
  const [rk, ik, uk] = await Promise.all([newKey('ec-P-256'), newKey('ec-P-256'), newKey('ec-P-256')]);
  const root = await issue({ subject: [{ CN: 'Synthetic Root CA' }, { O: 'wildtls synthetic' }], ca: true, keys: rk, validity });
  const intermediate = await issue({ subject: [{ CN: 'Synthetic Intermediate CA' }, { O: 'wildtls synthetic' }], ca: true, keys: ik, issuer: root, validity });
  const untrusted = await issue({ subject: [{ CN: 'Untrusted Root CA' }, { O: 'Nowhere' }], ca: true, keys: uk, validity });
  return { root, intermediate, untrusted };
}

/**
 * The classes a leaf can be declared in, as the study's validation sees its chain:
 * who issues it, what the server sends after it, its validity around `at`.
 */
export const CLASSES = {
  valid: { issuer: 'intermediate', send: ['intermediate'] },
  'self-signed': { issuer: 'self', send: [] },
  expired: { issuer: 'intermediate', send: ['intermediate'], expired: true },
  'unknown-issuer': { issuer: 'untrusted', send: ['untrusted'] },
};

/** A leaf's validity around `at`: 30 days before to a year after; expired: ended 10 days before. */
export function leafValidity(at, expired) {
  const t = at.getTime();
  return expired ? [new Date(t - 400 * DAY), new Date(t - 10 * DAY)] : [new Date(t - 30 * DAY), new Date(t + 365 * DAY)];
}

// --- minting: many distinct leaves from one template ---------------------------------------

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

/** A template: {@link mint} turns it into any number of distinct, correctly signed certificates. `signer`: the issuer's keys (its own when self-signed). */
export function templateOf(cert, signer) {
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
    signer: signer.node,
  };
}

/** Certificate number n of a template (n >= 1, distinct per template): its serial set from n, re-signed. Base64 DER. */
export function mint(template, n) {
  const tbs = Buffer.from(template.tbs);
  tbs.writeUInt8(0x10 + (n % 0x60), template.serialAt);
  tbs.writeUIntBE(Math.floor(n / 0x60) % 2 ** 48, template.serialAt + 1, 6);
  tbs.writeUInt8(0x5a, template.serialAt + 7);
  const sig = sign('sha256', tbs, template.signer);
  return wrap(0x30, Buffer.concat([tbs, template.sigAlg, wrap(0x03, Buffer.concat([Buffer.from([0]), sig]))])).toString('base64');
}


/**
 * A few chains of every class and leaf key type, as populations send them, and
 * their trust anchor: for tools that want the synthetic PKI's certificates
 * without a population (the OpenSSL agreement corpus, bench/der-strictness.mjs).
 * `perClass` minted leaves per class and key type.
 */
export async function sampleChains({ at = new Date('2026-01-15T00:00:00Z'), perClass = 3 } = {}) {
  const ca = await certificateAuthorities(at);
  const sent = { intermediate: ca.intermediate.b64, untrusted: ca.untrusted.b64 };
  const chains = [];
  for (const keyType of KEY_TYPES) {
    const keys = await newKey(keyType);
    for (const [cls, c] of Object.entries(CLASSES)) {
      const issuer = c.issuer === 'intermediate' ? ca.intermediate : c.issuer === 'untrusted' ? ca.untrusted : undefined;
      const cert = await issue({ subject: [{ CN: `${cls}.sample.synthetic.test` }, { O: 'Synthetic sample' }], issuer, keys, validity: leafValidity(at, c.expired) });
      const template = templateOf(cert, issuer?.keys ?? keys);
      for (let n = 1; n <= perClass; n++) chains.push({ cls, keyType, chain: [mint(template, n), ...c.send.map((s) => sent[s])] });
    }
  }
  return { at, rootPem: ca.root.pem, chains, authorities: [ca.root.b64, ca.intermediate.b64, ca.untrusted.b64] };
}
