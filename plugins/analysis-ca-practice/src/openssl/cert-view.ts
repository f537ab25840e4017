import { EKU, KU, OID } from '../cert/extensions.js';
import type { ParsedCertificate } from '../cert/parse-certificate.js';
import { signatureDigest } from '../validate/signature.js';

/**
 * What OpenSSL 3.0 caches about a certificate (crypto/x509/v3_purp.c,
 * ossl_x509v3_cache_extensions) and the per-certificate predicates of its
 * verifier, computed once per certificate from our parse.
 */
export interface OsslView {
  /** EXFLAG_INVALID: an extension OpenSSL decodes is malformed or repeated; such a certificate neither issues nor is issued. */
  invalid: boolean;
  /** EXFLAG_CRITICAL: a critical extension OpenSSL does not process. */
  unhandledCritical: boolean;
  /** EXFLAG_SS: self-issued, its AKID matches itself, its signature algorithm fits its own key. */
  selfSigned: boolean;
  /** X509_check_ca: 0 not a CA, 1 basicConstraints cA, 3 v1 self-signed root, 4 keyUsage keyCertSign without basicConstraints, 5 Netscape CA type. */
  ca: number;
  /** Security bits of the public key; 0 when it is too weak to count or OpenSSL could not use it. */
  keyBits: number;
  /** The key parses (OpenSSL's X509_get0_pubkey would succeed), judged from its DER. */
  keyLoads: boolean;
}

/** X509_supported_extension (OpenSSL 3.0): critical extensions the verifier processes; any other critical one rejects. */
const SUPPORTED_CRITICAL = new Set<string>([
  OID.nsCertType, OID.keyUsage, OID.subjectAltName, OID.basicConstraints, OID.certificatePolicies,
  OID.crlDistributionPoints, OID.extKeyUsage, '1.3.6.1.5.5.7.1.7', '1.3.6.1.5.5.7.1.8', // RFC 3779 address and AS blocks
  OID.policyConstraints, '1.3.6.1.5.5.7.1.14', OID.nameConstraints, OID.policyMappings, OID.inhibitAnyPolicy,
]);

/** Extensions ossl_x509v3_cache_extensions decodes: a bad or repeated one makes the certificate invalid. */
const DECODED = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.nsCertType, OID.subjectKeyId, OID.authorityKeyId,
  OID.subjectAltName, OID.nameConstraints, OID.crlDistributionPoints, '1.3.6.1.5.5.7.1.14',
]);

const NS_ANY_CA = 0x07;
const SGC = ['2.16.840.1.113730.4.1', '1.3.6.1.4.1.311.10.3.3'];
const NS_SSL_SERVER = 0x40;
const NS_SSL_CA = 0x04;

/** BN_security_bits as OpenSSL 1.1 counted them: RSA and DSA of 1024 bits give 80 (level 1); 3.0's formula differs only off these steps. */
function rsaBits(n: number): number {
  return n >= 15360 ? 256 : n >= 7680 ? 192 : n >= 3072 ? 128 : n >= 2048 ? 112 : n >= 1024 ? 80 : 0;
}

function keySecurityBits(c: ParsedCertificate): number {
  const { type, bits } = c.key;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') return bits ? rsaBits(bits) : 0;
  // Explicit curve parameters: loadable, strength unknown here (rejected as such in chains of two or more).
  if (type === 'ec') return bits ? Math.floor(bits / 2) : c.ecExplicitParams ? 80 : 0;
  if (type === 'ed25519') return 128;
  if (type === 'ed448') return 224;
  return 0;
}

/**
 * Security bits of a certificate's signature algorithm as OpenSSL 1.1
 * counted them (half the digest size, so SHA-1 80 and MD5 64). OpenSSL 3.0 lowered SHA-1 to 63 bits, which
 * rejects SHA-1 at level 1: a 2015 verdict must not (see the agreement list).
 */
export function signatureSecurityBits(c: ParsedCertificate): number {
  const d = signatureDigest(c.sigAlg);
  if (d) return ({ md2: 64, md5: 64, sha1: 80, sha224: 112, sha256: 128, sha384: 192, sha512: 256 } as Record<string, number>)[d] ?? 0;
  if (c.sigAlg === '1.3.101.112') return 128;
  if (c.sigAlg === '1.3.101.113') return 224;
  if (c.sigAlg === '1.2.840.113549.1.1.10') return 128; // RSASSA-PSS: the hash is in its parameters; SHA-256 in practice
  return 0;
}

/** The key type a signature algorithm needs (OBJ_find_sigid_algs), or undefined for an unknown algorithm. */
function signatureKeyType(oid: string): string | undefined {
  if (oid === '1.2.840.113549.1.1.10') return 'rsa-pss';
  if (oid.startsWith('1.2.840.113549.1.1.')) return 'rsa';
  if (oid.startsWith('1.2.840.10045.4.')) return 'ec';
  if (oid === '1.2.840.10040.4.3' || oid.startsWith('2.16.840.1.101.3.4.3.')) return 'dsa';
  if (oid === '1.3.101.112') return 'ed25519';
  if (oid === '1.3.101.113') return 'ed448';
  return undefined;
}

/** check_sig_alg_match: `subject`'s signature algorithm fits `issuer`'s key (an RSA key also verifies RSASSA-PSS). */
export function signatureFitsKey(issuer: ParsedCertificate, subject: ParsedCertificate): boolean {
  const want = signatureKeyType(subject.sigAlg);
  const have = issuer.key.type;
  return !!want && (want === have || (want === 'rsa-pss' && have === 'rsa'));
}

/** X509_check_akid: the child's authority key identifier (when present) names `issuer` (key id, serial, issuer name). */
export function akidMatches(issuer: ParsedCertificate, child: ParsedCertificate): boolean {
  const aki = child.ext.aki;
  if (!aki) return true;
  const ski = issuer.ext.ski?.id;
  if (aki.keyId && ski && !Buffer.from(aki.keyId).equals(Buffer.from(ski))) return false;
  if (aki.serial && !Buffer.from(aki.serial).equals(Buffer.from(issuer.serial))) return false;
  if (aki.issuerName && aki.issuerName.key !== issuer.issuer.key) return false;
  return true;
}

function checkCa(c: ParsedCertificate, v: { selfSigned: boolean }): number {
  const ku = c.ext.keyUsage;
  if (ku && !(ku.bits & KU.keyCertSign)) return 0;
  const bc = c.ext.basicConstraints;
  if (bc) return bc.ca ? 1 : 0;
  if (c.version === 1 && v.selfSigned) return 3;
  if (ku) return 4;
  if (c.ext.nsCertType !== undefined && c.ext.nsCertType > 0 && c.ext.nsCertType & NS_ANY_CA) return 5;
  return 0;
}

const views = new WeakMap<ParsedCertificate, OsslView>();

export function osslView(c: ParsedCertificate): OsslView {
  let v = views.get(c);
  if (v) return v;
  const e = c.ext;
  const invalid =
    e.duplicates.some((o) => DECODED.has(o)) ||
    // An empty extendedKeyUsage decodes in OpenSSL (and allows nothing); other decoding failures invalidate.
    e.malformed.some((o) => DECODED.has(o) && !(o === OID.extKeyUsage && e.ekuEmpty) && !e.charsetOnly.includes(o)) ||
    e.nsCertType === -1 ||
    // An empty keyUsage (no bit set) is invalid since OpenSSL 3.0 (RFC 5280 4.2.1.3).
    e.keyUsage?.bits === 0;
  const { type, bits } = c.key;
  const keyLoads = type === 'ed25519' || type === 'ed448' || (type !== 'other' && (bits !== undefined || c.ecExplicitParams));
  const selfSigned = c.selfIssued && akidMatches(c, c) && signatureFitsKey(c, c) && keyLoads;
  v = { invalid, unhandledCritical: e.critical.some((o) => !SUPPORTED_CRITICAL.has(o)), selfSigned, ca: 0, keyBits: keySecurityBits(c), keyLoads };
  v.ca = checkCa(c, v);
  views.set(c, v);
  return v;
}

/** The extended key usage allows a TLS server (serverAuth, or Netscape/Microsoft SGC; anyExtendedKeyUsage does not). */
function ekuAllowsServer(c: ParsedCertificate): boolean {
  if (c.ext.ekuEmpty) return false;
  const oids = c.ext.eku?.oids;
  return !oids || oids.includes(EKU.serverAuth) || oids.some((o) => SGC.includes(o));
}

/**
 * X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, ca) (check_purpose_ssl_server):
 * undefined when it passes, else our error for the cause; `undefined` too
 * for an invalid certificate (OpenSSL returns -1 there, which only
 * -x509_strict turns into an error).
 */
export function sslServerPurpose(c: ParsedCertificate, asCa: boolean): 'extended-key-usage' | 'leaf-key-usage' | 'not-a-ca' | undefined {
  const v = osslView(c);
  if (v.invalid) return undefined;
  if (!ekuAllowsServer(c)) return 'extended-key-usage';
  const ns = c.ext.nsCertType;
  if (asCa) {
    if (v.ca === 0) return 'not-a-ca';
    if (v.ca === 5 && !((ns ?? 0) & NS_SSL_CA)) return 'extended-key-usage';
    return undefined;
  }
  if (ns !== undefined && !(ns & NS_SSL_SERVER)) return 'extended-key-usage';
  const ku = c.ext.keyUsage;
  if (ku && !(ku.bits & (KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement))) return 'leaf-key-usage';
  return undefined;
}

/**
 * ossl_x509_likely_issued: names, validity of both, authority key
 * identifier, signature algorithm against the issuer's key, and a key that
 * loads. `importKey: false` (a certificate against itself, whose own
 * signature is never checked) judges the key from its DER instead of
 * importing it: self-signed leaves, the commonest invalid chain, stay cheap.
 */
export function likelyIssued(issuer: ParsedCertificate, child: ParsedCertificate, importKey = true): boolean {
  if (issuer.subject.key !== child.issuer.key) return false;
  if (osslView(issuer).invalid || osslView(child).invalid) return false;
  if (!akidMatches(issuer, child)) return false;
  if (!signatureFitsKey(issuer, child)) return false;
  return importKey ? issuer.publicKey() !== undefined : osslView(issuer).keyLoads;
}
