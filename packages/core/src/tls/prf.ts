import { HMAC_SCRATCH_MESSAGE, hmac, hmacBlock, hmacFinish, hmacStart } from './hmac.js';

/** P_hash of RFC 5246 section 5, over the one-shot HMAC of hmac.ts (A(i) || seed written in its scratch). */
function pHash(hash: string, secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let a = seed;
  while (total < length) {
    a = hmac(hash, secret, a);
    let block: Buffer;
    if (a.length + seed.length <= HMAC_SCRATCH_MESSAGE) {
      const s = hmacStart(hash, secret);
      const at = hmacBlock(hash);
      a.copy(s, at);
      seed.copy(s, at + a.length);
      block = hmacFinish(hash, a.length + seed.length);
    } else {
      block = hmac(hash, secret, Buffer.concat([a, seed]));
    }
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The TLS PRF: P_SHA256/P_SHA384 for TLS 1.2, MD5 xor SHA-1 for TLS 1.0 and 1.1. */
export function prf(version: number, hash: 'sha256' | 'sha384', secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  if (version >= 0x0303) return pHash(hash, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha[i]!;
  return md5;
}
