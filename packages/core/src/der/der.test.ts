import { describe, expect, it } from 'vitest';
import { DerError, TAG, bytes, children, decodeBoolean, decodeOid, decodeSmallInt, decodeString, decodeTime, expectTag, readTlv } from './der.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('der (the strict DER reader analyses share)', () => {
  it('reads nested TLVs with short and long lengths', () => {
    // SEQUENCE { INTEGER 5, OCTET STRING of 130 bytes }
    const b = Buffer.concat([hex('30 81 88 02 01 05 04 81 82'), Buffer.alloc(130, 7)]);
    const seq = expectTag(readTlv(b, 0, b.length), TAG.SEQUENCE, 'seq');
    const [n, s] = children(b, seq);
    expect(decodeSmallInt(b, n!)).toBe(5);
    expect(Buffer.from(bytes(b, s!)).equals(Buffer.alloc(130, 7))).toBe(true);
    expect(seq).toEqual({ tag: 0x30, start: 0, body: 3, end: b.length });
  });

  it('decodes OIDs, booleans, strings and both time forms', () => {
    const oid = hex('06 09 2b 06 01 05 05 07 30 01 01');
    expect(decodeOid(oid, readTlv(oid, 0, oid.length))).toBe('1.3.6.1.5.5.7.48.1.1');
    const t = hex('01 01 ff');
    expect(decodeBoolean(t, readTlv(t, 0, t.length))).toBe(true);
    const s = Buffer.concat([hex('0c 06'), Buffer.from('héllo', 'utf8')]);
    expect(decodeString(s, readTlv(s, 0, s.length))).toBe('héllo');
    const utc = Buffer.concat([hex('17 0d'), Buffer.from('491231235959Z')]);
    expect(decodeTime(utc, readTlv(utc, 0, utc.length))).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    const gen = Buffer.concat([hex('18 0f'), Buffer.from('20500101000000Z')]);
    expect(decodeTime(gen, readTlv(gen, 0, gen.length))).toBe(Date.UTC(2050, 0, 1));
  });

  it('rejects what DER forbids or the buffer cannot hold, with DerError', () => {
    const cases = [
      hex('30'), // truncated header
      hex('30 05 02 01'), // content past the end
      hex('04 81 05 00 00 00 00 00'), // non-minimal length
      hex('04 80'), // indefinite length
      hex('1f 81 01 00'), // multi-byte tag
    ];
    for (const b of cases) expect(() => readTlv(b, 0, b.length)).toThrow(DerError);
    const badBool = hex('01 01 01');
    expect(() => decodeBoolean(badBool, readTlv(badBool, 0, 3))).toThrow(DerError);
    const feb30 = Buffer.concat([hex('18 0f'), Buffer.from('20240230000000Z')]);
    expect(() => decodeTime(feb30, readTlv(feb30, 0, feb30.length))).toThrow(DerError);
    expect(() => expectTag(undefined, TAG.SEQUENCE, 'x')).toThrow(/expected x/);
  });
});
