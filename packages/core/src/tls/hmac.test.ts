import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HMAC_SCRATCH_MESSAGE, hmac, hmacBlock, hmacFinish, hmacStart } from './hmac.js';

describe('one-shot hmac', () => {
  it('equals createHmac for each hash, for short, block-sized and long keys and any message', () => {
    for (const alg of ['sha256', 'sha384', 'sha1', 'md5']) {
      for (const keyLen of [0, 1, 32, 48, 64, 65, 128, 129, 300]) {
        for (const msgLen of [0, 1, 55, 64, 200, HMAC_SCRATCH_MESSAGE, HMAC_SCRATCH_MESSAGE + 1, 5000]) {
          const key = randomBytes(keyLen);
          const msg = randomBytes(msgLen);
          expect(hmac(alg, key, msg).toString('hex'), `${alg} key ${keyLen} msg ${msgLen}`).toBe(createHmac(alg, key).update(msg).digest('hex'));
        }
      }
    }
  });

  it('matches the RFC 4231 test case 2 vector', () => {
    expect(hmac('sha256', Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('each result is its own: later HMACs (over the shared scratch) leave earlier results as they were', () => {
    const key = randomBytes(32);
    const first = hmac('sha256', key, Buffer.from('first'));
    const firstHex = first.toString('hex');
    for (let i = 0; i < 50; i++) hmac(i % 2 ? 'sha384' : 'sha256', randomBytes(48), randomBytes(i * 7));
    expect(first.toString('hex')).toBe(firstHex);
    expect(firstHex).toBe(createHmac('sha256', key).update('first').digest('hex'));
  });

  it('hmacStart/hmacFinish: a message written in place, the result cut to the length asked', () => {
    for (const alg of ['sha256', 'sha384']) {
      const key = randomBytes(alg === 'sha256' ? 32 : 48);
      const msg = randomBytes(77);
      const s = hmacStart(alg, key);
      msg.copy(s, hmacBlock(alg));
      const out = hmacFinish(alg, msg.length, 12);
      expect(out.toString('hex')).toBe(createHmac(alg, key).update(msg).digest().subarray(0, 12).toString('hex'));
    }
  });

  it('hmacFinish refuses a message longer than the scratch (it would hash a short view)', () => {
    hmacStart('sha256', Buffer.alloc(32));
    expect(() => hmacFinish('sha256', HMAC_SCRATCH_MESSAGE + 1)).toThrow(/does not fit/);
  });
});
