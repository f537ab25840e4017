import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { dhSpkiPublicValue } from './key-exchange.js';
import { randomFromPool } from './random-pool.js';
import { bitLength } from './server-messages.js';
import { TlsFailure } from './tls-failure.js';
import { DH_OID, der, derInt } from '../der/der-encode.js';

/**
 * Finite-field DHE for a generator that does not fit a 31-bit number (RFC 5114's
 * groups have generators as long as the prime). node's generateKeyPair('dh')
 * takes only a small generator, and createDiffieHellman(p, g) runs OpenSSL's
 * DH_check on the server's prime: a primality test of p and (p-1)/2 that cost
 * 268 ms at 2048 bits and 1.8 s at 3072 (more at 8192) on our machine, on the
 * event loop every probe shares. Here our private value is chosen as OpenSSL
 * chooses it for a group it does not know (bits(p) - 1 random bits) and handed
 * over as a PKCS#8 key, whose import computes our public value and tests nothing.
 */
export function dheLongGeneratorExchange(p: Buffer, g: Buffer, ys: Buffer): { publicKey: Buffer; premaster: Buffer } {
  try {
    const params = der(0x30, Buffer.concat([derInt(p), derInt(g)]));
    const algorithm = der(0x30, Buffer.concat([DH_OID, params]));
    const pkcs8 = der(0x30, Buffer.concat([Buffer.from([2, 1, 0]), algorithm, der(4, derInt(privateValue(p)))]));
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const publicKey = dhSpkiPublicValue(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    const peerSpki = der(0x30, Buffer.concat([algorithm, der(3, Buffer.concat([Buffer.from([0]), derInt(ys)]))]));
    const secret = diffieHellman({ privateKey, publicKey: createPublicKey({ key: peerSpki, format: 'der', type: 'spki' }) });
    let i = 0;
    while (i < secret.length - 1 && secret[i] === 0) i++;
    return { publicKey, premaster: secret.subarray(i) };
  } catch (e) {
    throw new TlsFailure('protocol', `DHE parameters rejected: ${(e as Error).message}`, 'ServerKeyExchange');
  }
}

/** bits(p) - 1 random bits (so below p), at least 2. */
function privateValue(p: Buffer): Buffer {
  const bits = bitLength(p) - 1;
  const x = randomFromPool(Math.ceil(bits / 8));
  const spare = x.length * 8 - bits;
  x[0] = x[0]! & (0xff >> spare);
  x[x.length - 1] = x[x.length - 1]! | 2;
  return x;
}

