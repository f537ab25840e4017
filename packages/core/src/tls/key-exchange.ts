import { createDiffieHellman, createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt, constants, X509Certificate, type KeyObject } from 'node:crypto';
import { randomFromPool } from './random-pool.js';
import { DerError, TAG, children, expectTag, readTlv } from '../der/der.js';
import { TlsFailure, serverInput } from './tls-failure.js';
import { DH_OID, der, derInt } from '../der/der-encode.js';

/** One ephemeral (EC)DH key pair: the public bytes to send and the shared-secret step. */
export interface KeyShare {
  group: string;
  publicKey: Buffer;
  compute(peer: Buffer): Buffer;
}

const ECDH_CURVES: Record<string, string> = { secp256r1: 'prime256v1', secp384r1: 'secp384r1', secp521r1: 'secp521r1' };

export function canShare(group: string): boolean {
  return group === 'x25519' || group in ECDH_CURVES;
}

/**
 * X25519 from 32 random bytes imported as a JWK private key, never through
 * generateKeyPairSync: in Node 20, exporting a key that generateKeyPairSync
 * made (JWK or DER) holds the key's mutex while allocating; if that allocation
 * triggers a GC which finalizes the generating job, the job's destructor takes
 * the same mutex and the main thread deadlocks (a scan hung after ~800
 * probes; bench/x25519-deadlock.mjs reproduces it in seconds). An imported key
 * shares its mutex with no job. Same cost as generate + JWK export (about
 * three times cheaper than SPKI DER); x is required by the JWK reader and
 * ignored when d is given.
 */
export function generateKeyShare(group: string): KeyShare {
  if (group === 'x25519') {
    const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomFromPool(32).toString('base64url'), x: '' }, format: 'jwk' });
    const x = privateKey.export({ format: 'jwk' }).x!;
    return {
      group,
      publicKey: Buffer.from(x, 'base64url'),
      compute(peer: Buffer): Buffer {
        if (peer.length !== 32) throw new TlsFailure('protocol', `x25519 key share of ${peer.length} bytes`, 'key_share');
        let pub: KeyObject;
        try {
          pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peer.toString('base64url') }, format: 'jwk' });
          return diffieHellman({ privateKey, publicKey: pub });
        } catch (e) {
          throw new TlsFailure('protocol', `bad x25519 key share: ${(e as Error).message}`, 'key_share');
        }
      },
    };
  }
  const curve = ECDH_CURVES[group];
  if (!curve) throw new TlsFailure('unsupported', `no key exchange for group ${group}`, 'key_share');
  const ecdh = createECDH(curve);
  const publicKey = ecdh.generateKeys();
  return {
    group,
    publicKey,
    compute(peer: Buffer): Buffer {
      try {
        return ecdh.computeSecret(peer);
      } catch (e) {
        throw new TlsFailure('protocol', `bad ${group} point: ${(e as Error).message}`, 'key_share');
      }
    },
  };
}

/** Reuse of our ephemeral key shares: a share serves at most `handshakes` handshakes and `ms` milliseconds. */
export interface KeyShareReuse {
  handshakes: number;
  ms: number;
}

const reusable = new Map<string, { share: KeyShare; uses: number; born: number }>();

/**
 * A key share for the next handshake: with `reuse`, the last one made for the
 * group while it is within its bounds, else a fresh one. A fresh X25519 and
 * P-256 pair cost about a tenth of a TLS 1.3 probe's CPU. Safe for a scanner:
 * no secret of ours rides on these handshakes (we send no data worth keeping),
 * both shares are checked points (an off-curve P-256 point or a low-order
 * X25519 one is refused, so a server cannot learn the private key), and what a
 * server sees is the same as before: one valid share per group. Servers seeing
 * the same share within the bounds learn only that one scanner reached them,
 * which its address says anyway. Each process (and worker) has its own shares.
 */
export function nextKeyShare(group: string, reuse: KeyShareReuse | undefined): KeyShare {
  if (!reuse || reuse.handshakes <= 1) return generateKeyShare(group);
  const now = performance.now();
  let r = reusable.get(group);
  if (!r || r.uses >= reuse.handshakes || now - r.born >= reuse.ms) {
    r = { share: generateKeyShare(group), uses: 0, born: now };
    reusable.set(group, r);
  }
  r.uses++;
  return r.share;
}

/**
 * The public value of a DH SubjectPublicKeyInfo, SEQ { SEQ algid, BIT STRING
 * { 00, INTEGER y } }, walked field by field (scanning for a trailing INTEGER
 * found one inside y about once in 700 keys, and the handshake failed).
 */
export function dhSpkiPublicValue(spki: Buffer): Buffer {
  const [, bits] = children(spki, expectTag(readTlv(spki, 0, spki.length), TAG.SEQUENCE, 'SubjectPublicKeyInfo'));
  const bitString = expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey');
  if (spki[bitString.body] !== 0) throw new DerError('subjectPublicKey with unused bits');
  const y = expectTag(readTlv(spki, bitString.body + 1, bitString.end), TAG.INTEGER, 'DH public value');
  let v = spki.subarray(y.body, y.end);
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return v;
}

/**
 * Finite-field DHE: returns our public value and the premaster secret (leading
 * zeros stripped, RFC 5246 8.1.2). Key objects avoid createDiffieHellman, whose
 * parameter check (a primality test) costs tens of ms per handshake. Only the
 * steps fed with the server's p, g and Ys turn their exceptions into protocol
 * errors; reading our own public value back is ours, and a failure there is a bug.
 */
export function dheExchange(p: Buffer, g: Buffer, ys: Buffer): { publicKey: Buffer; premaster: Buffer } {
  const server = <T>(what: string, f: () => T) => serverInput(`DHE parameters rejected (${what})`, 'ServerKeyExchange', f);
  let secret: Buffer;
  let publicKey: Buffer;
  const gNum = g.length <= 4 ? g.reduce((a, b) => a * 256 + b, 0) : -1;
  if (gNum >= 2) {
    // @types/node has no 'dh' overload; node supports it (prime + generator). The public key comes
    // encoded by the job itself: exporting a generated key later can deadlock (see generateKeyShare).
    type DhPair = { privateKey: KeyObject; publicKey: Buffer };
    const genDh = generateKeyPairSync as unknown as (t: 'dh', o: { prime: Buffer; generator: number; publicKeyEncoding: { type: 'spki'; format: 'der' } }) => DhPair;
    const pair = server('prime', () => genDh('dh', { prime: p, generator: gNum, publicKeyEncoding: { type: 'spki', format: 'der' } }));
    const params = der(0x30, Buffer.concat([derInt(p), derInt(g)]));
    const peerSpki = der(0x30, Buffer.concat([der(0x30, Buffer.concat([DH_OID, params])), der(3, Buffer.concat([Buffer.from([0]), derInt(ys)]))]));
    const peer = server('public value', () => createPublicKey({ key: peerSpki, format: 'der', type: 'spki' }));
    secret = server('key agreement', () => diffieHellman({ privateKey: pair.privateKey, publicKey: peer }));
    publicKey = dhSpkiPublicValue(pair.publicKey);
  } else {
    const dh = server('group', () => createDiffieHellman(p, g));
    publicKey = server('group', () => dh.generateKeys());
    secret = server('key agreement', () => dh.computeSecret(ys));
  }
  let i = 0;
  while (i < secret.length - 1 && secret[i] === 0) i++;
  return { publicKey, premaster: secret.subarray(i) };
}

/** RSA key transport: encrypt the premaster secret to the leaf certificate's key (PKCS#1 v1.5). */
export function rsaEncryptPremaster(leafDer: Buffer, premaster: Buffer): Buffer {
  const what = 'cannot encrypt to the server certificate';
  const key = serverInput(what, 'Certificate', () => new X509Certificate(leafDer).publicKey);
  return serverInput(what, 'Certificate', () => publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, premaster));
}

/** The (EC)DH shared secret with the server's key share or ServerKeyExchange point: a point it chose. */
export function sharedSecret(share: KeyShare, peer: Buffer, messageType: string): Buffer {
  return serverInput(`bad ${share.group} key share`, messageType, () => share.compute(peer));
}

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * A key share from a given private key: only for replaying recorded server
 * flights in tests (the ClientHello must be byte-identical to the recorded one).
 */
export function fixedKeyShare(group: string, privateKey: Buffer): KeyShare {
  if (group === 'x25519') {
    const priv = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
    const x = createPublicKey(priv).export({ format: 'jwk' }).x!;
    return {
      group,
      publicKey: Buffer.from(x, 'base64url'),
      compute: (peer) => diffieHellman({ privateKey: priv, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peer.toString('base64url') }, format: 'jwk' }) }),
    };
  }
  const curve = ECDH_CURVES[group];
  if (!curve) throw new TlsFailure('unsupported', `no key exchange for group ${group}`, 'key_share');
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(privateKey);
  return { group, publicKey: ecdh.getPublicKey(), compute: (peer) => ecdh.computeSecret(peer) };
}
