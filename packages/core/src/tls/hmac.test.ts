import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmac } from './hmac.js';

describe('one-shot hmac', () => {
  it('equals createHmac for each hash, for short, block-sized and long keys and any message', () => {
    for (const alg of ['sha256', 'sha384', 'sha1', 'md5']) {
      for (const keyLen of [0, 1, 32, 48, 64, 65, 128, 129, 300]) {
        for (const msgLen of [0, 1, 55, 64, 200]) {
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
});
