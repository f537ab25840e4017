import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dhSpkiPublicValue } from './key-exchange.js';

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
