/**
 * A minimal strict DER reader (exported as `der` from @wildtls/core) for the
 * analyses and the TLS engine: what certificate, OCSP and key parsing need.
 * Reading the few fields wanted by hand costs a few microseconds, against
 * about a millisecond for a full ASN.1 object model; hostile input throws
 * DerError.
 */
export class DerError extends Error {}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  body: number;
  /** Offset just past the content. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  T61: 0x14,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL: 0x1c,
  BMP: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Read one TLV at `pos`, which must end by `limit`. Definite lengths, minimal encodings. */
export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new DerError('truncated TLV');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tag');
  let len = buf[pos + 1]!;
  let body = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('bad length');
    if (body + n > limit) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    if (buf[body] === 0 || len < 128) throw new DerError('non-minimal length');
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new DerError('TLV overruns its container');
  return { tag, start: pos, body, end };
}

/** Every TLV inside a constructed one. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.body;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

export function bytes(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.body, t.end);
}

export function decodeOid(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== TAG.OID || t.end === t.body) throw new DerError('bad OID');
  const parts: number[] = [];
  let v = 0;
  for (let i = t.body; i < t.end; i++) {
    const b = buf[i]!;
    if (v === 0 && b === 0x80) throw new DerError('non-minimal OID');
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  if (buf[t.end - 1]! & 0x80) throw new DerError('truncated OID');
  return parts.join('.');
}

/** A small non-negative INTEGER (path lengths, versions). */
export function decodeSmallInt(buf: Uint8Array, t: Tlv): number {
  if (t.tag !== TAG.INTEGER || t.end === t.body || t.end - t.body > 6) throw new DerError('bad INTEGER');
  if (buf[t.body]! & 0x80) throw new DerError('negative INTEGER');
  let v = 0;
  for (let i = t.body; i < t.end; i++) v = v * 256 + buf[i]!;
  return v;
}

export function decodeBoolean(buf: Uint8Array, t: Tlv): boolean {
  if (t.tag !== TAG.BOOLEAN || t.end - t.body !== 1) throw new DerError('bad BOOLEAN');
  const b = buf[t.body]!;
  if (b !== 0 && b !== 0xff) throw new DerError('non-DER BOOLEAN');
  return b === 0xff;
}

const DIGITS = /^\d+$/;

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as epoch milliseconds. */
export function decodeTime(buf: Uint8Array, t: Tlv): number {
  const s = Buffer.from(buf.subarray(t.body, t.end)).toString('latin1');
  let y: number;
  let rest: string;
  if (t.tag === TAG.UTC_TIME) {
    if (s.length !== 13 || !s.endsWith('Z') || !DIGITS.test(s.slice(0, 12))) throw new DerError('bad UTCTime');
    const yy = Number(s.slice(0, 2));
    y = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = s.slice(2, 12);
  } else if (t.tag === TAG.GENERALIZED_TIME) {
    if (s.length !== 15 || !s.endsWith('Z') || !DIGITS.test(s.slice(0, 14))) throw new DerError('bad GeneralizedTime');
    y = Number(s.slice(0, 4));
    rest = s.slice(4, 14);
  } else throw new DerError('expected a time');
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) throw new DerError('time out of range');
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  if (new Date(ms).getUTCDate() !== d) throw new DerError('no such day');
  return ms;
}

/** Text of a directory string, or undefined for a non-string type. */
export function decodeString(buf: Uint8Array, t: Tlv): string | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset + t.body, t.end - t.body);
  switch (t.tag) {
    case TAG.UTF8:
      return b.toString('utf8');
    case TAG.PRINTABLE:
    case TAG.IA5:
    case TAG.T61:
      return b.toString('latin1');
    case TAG.BMP:
      return Buffer.from(b).swap16().toString('utf16le');
    case TAG.UNIVERSAL: {
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i));
      return s;
    }
    default:
      return undefined;
  }
}
