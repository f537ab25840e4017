import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamProtection } from '../../src/tls/stream-protection.js';
import { Rc4 } from '../../src/tls/rc4.js';
import { TlsFailure } from '../../src/tls/tls-failure.js';

/**
 * RC4 record protection (RFC 5246 6.2.3.1). The layout is checked against a
 * record built by hand from the RFC's definition (HMAC over seq, type,
 * version, length and data; then RC4 over data and MAC); completions against
 * real servers are in test/tls-engine/gnutls-interop.test.ts.
 */
const key = randomBytes(16);
const macKey = randomBytes(20);
const pair = (mac = 'sha1') => [new StreamProtection(key, macKey, mac, 0x0303), new StreamProtection(key, macKey, mac, 0x0303)] as const;

describe('RC4 stream protection', () => {
  it('seals records as RFC 5246 defines them: no IV, no padding, the keystream running on across records', () => {
    const [w] = pair();
    const rc4 = new Rc4(key);
    for (const [seq, text] of ['first', 'second record, longer'].entries()) {
      const data = Buffer.from(text);
      const hdr = Buffer.from([23, 3, 3, 0, data.length]);
      const seqBuf = Buffer.alloc(8);
      seqBuf.writeBigUInt64BE(BigInt(seq));
      const mac = createHmac('sha1', macKey).update(seqBuf).update(hdr).update(data).digest();
      const expected = Buffer.concat([Buffer.from([23, 3, 3, 0, data.length + 20]), Buffer.from(rc4.update(Buffer.concat([data, mac])))]);
      expect(w.seal(23, data).equals(expected)).toBe(true);
    }
  });

  it('opens what it seals, SHA-1 and MD5 MACs', () => {
    for (const mac of ['sha1', 'md5']) {
      const [w, r] = pair(mac);
      for (const text of ['a', '', 'x'.repeat(16384)]) {
        const rec = w.seal(23, Buffer.from(text));
        expect(r.open(rec.subarray(0, 5), rec.subarray(5)).data.toString()).toBe(text);
      }
    }
  });

  it('a flipped bit, a record from the wrong place in the stream or one shorter than its MAC is a classified bad_record_mac', () => {
    const [w, r] = pair();
    const rec = w.seal(23, Buffer.from('hello'));
    const bad = Buffer.from(rec);
    bad[7]! ^= 1;
    expect(() => r.open(bad.subarray(0, 5), bad.subarray(5))).toThrow(TlsFailure);
    expect(() => r.open(bad.subarray(0, 5), bad.subarray(5))).toThrow(/bad_record_mac/);
    const [, r2] = pair();
    expect(() => r2.open(Buffer.from([23, 3, 3, 0, 10]), Buffer.alloc(10))).toThrow(/shorter than its MAC/);
  });
});
