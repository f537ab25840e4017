import { describe, expect, it } from 'vitest';
import { handshakeMessage, u24, vec16, vec24, vec8 } from './bytes.js';

describe('length-prefixed vectors (RFC 8446 section 3.4) and handshake messages', () => {
  it('big-endian lengths of 1, 2 and 3 bytes, then the bytes', () => {
    const body = Buffer.from('abc');
    expect(vec8(body).toString('hex')).toBe('03616263');
    expect(vec16(body).toString('hex')).toBe('0003616263');
    expect(vec24(body).toString('hex')).toBe('000003616263');
    expect(vec16(Buffer.alloc(0x1234)).subarray(0, 2).toString('hex')).toBe('1234');
    expect(vec24(Buffer.alloc(0x10203)).subarray(0, 3).toString('hex')).toBe('010203');
    expect(vec8(Buffer.alloc(0)).toString('hex')).toBe('00');
    expect(u24(0xabcdef).toString('hex')).toBe('abcdef');
  });

  it('a handshake message is its type, a 24-bit length and the body (a Finished of 32 bytes)', () => {
    const verify = Buffer.alloc(32, 7);
    expect(handshakeMessage(20, verify).toString('hex')).toBe(`14000020${'07'.repeat(32)}`);
    expect(handshakeMessage(11, Buffer.alloc(0)).toString('hex')).toBe('0b000000');
  });

  it('lengths out of range: vec8 takes the length modulo 256, vec16 throws a RangeError', () => {
    expect(vec8(Buffer.alloc(300))[0]).toBe(44);
    expect(() => vec16(Buffer.alloc(0x10000))).toThrow(RangeError);
  });

  it('the result is a copy: changing the input later leaves it as it was', () => {
    const body = Buffer.from([1, 2, 3]);
    const v = vec16(body);
    body[0] = 9;
    expect(v.toString('hex')).toBe('0003010203');
  });
});
