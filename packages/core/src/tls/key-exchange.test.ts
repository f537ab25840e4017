import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dhSpkiPublicValue, generateKeyShare, nextKeyShare } from './key-exchange.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('dhSpkiPublicValue (the TLS engine\'s own DHE public value)', () => {
  it('returns y from SEQ { algid, BIT STRING { 00, INTEGER y } } whatever bytes y holds', async () => {
    const len = (n: number) => (n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 255]));
    const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
    const algid = tlv(0x30, Buffer.concat([hex('06 09 2a 86 48 86 f7 0d 01 03 01'), tlv(0x30, Buffer.concat([tlv(2, hex('00 ff ff')), tlv(2, hex('02'))]))]));
    const spki = (y: Buffer) => tlv(0x30, Buffer.concat([algid, tlv(0x03, Buffer.concat([Buffer.from([0]), tlv(2, y[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), y]) : y)]))]));
    // A y that holds what looks like a trailing INTEGER (02 03 ...) at its end: the old scan returned that.
    const tricky = Buffer.concat([randomBytes(200).fill(0x11, 0, 1), hex('02 03 aa bb cc')]);
    expect(dhSpkiPublicValue(spki(tricky))).toEqual(tricky);
    for (let i = 0; i < 3000; i++) {
      const y = randomBytes(256);
      if (y[0] === 0) y[0] = 1;
      expect(dhSpkiPublicValue(spki(y))).toEqual(y);
    }
  });
});

describe('our key shares', () => {
  // The peer's side computed by node:crypto directly: both ends must reach the same secret.
  const x25519Peer = (share: Buffer) => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const ours = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: share.toString('base64url') }, format: 'jwk' });
    return { pub: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'), secret: diffieHellman({ privateKey, publicKey: ours }) };
  };

  it('X25519 and P-256 shares agree with a peer on the secret, and each fresh share is new', () => {
    const a = generateKeyShare('x25519');
    const b = generateKeyShare('x25519');
    expect(a.publicKey).toHaveLength(32);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
    const peer = x25519Peer(a.publicKey);
    expect(a.compute(peer.pub)).toEqual(peer.secret);
    const p = generateKeyShare('secp256r1');
    const ecdh = createECDH('prime256v1');
    expect(p.compute(ecdh.generateKeys())).toEqual(ecdh.computeSecret(p.publicKey));
    // The private key is never exported: a key imported from 32 random bytes, as JWK d.
    expect(() => createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: randomBytes(32).toString('base64url'), x: '' }, format: 'jwk' })).not.toThrow();
  });

  it('reuse: one share serves at most `handshakes` handshakes, then a new one is made', () => {
    const reuse = { handshakes: 4, ms: 60_000 };
    const keys = Array.from({ length: 9 }, () => nextKeyShare('x25519', reuse).publicKey.toString('hex'));
    // Earlier tests may have left a partly used share: count runs, not positions.
    const runs = keys.reduce<number[]>((acc, k, i) => (i > 0 && k === keys[i - 1] ? (acc[acc.length - 1]!++, acc) : [...acc, 1]), []);
    expect(runs.every((n) => n <= 4)).toBe(true);
    expect(runs.slice(1, -1).every((n) => n === 4)).toBe(true);
    expect(new Set(keys).size).toBe(runs.length);
    // A reused share still agrees with each new peer.
    const share = nextKeyShare('x25519', reuse);
    for (let i = 0; i < 2; i++) {
      const peer = x25519Peer(share.publicKey);
      expect(share.compute(peer.pub)).toEqual(peer.secret);
    }
  });

  it('reuse: a share older than `ms` is replaced; no reuse without bounds or with handshakes 1', async () => {
    const reuse = { handshakes: 1000, ms: 30 };
    const a = nextKeyShare('secp256r1', reuse);
    expect(nextKeyShare('secp256r1', reuse)).toBe(a);
    await new Promise((r) => setTimeout(r, 40));
    expect(nextKeyShare('secp256r1', reuse)).not.toBe(a);
    expect(nextKeyShare('x25519', undefined)).not.toBe(nextKeyShare('x25519', undefined));
    const one = { handshakes: 1, ms: 60_000 };
    expect(nextKeyShare('x25519', one)).not.toBe(nextKeyShare('x25519', one));
  });
});
