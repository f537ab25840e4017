import { describe, expect, it } from 'vitest';
import { seededInts } from '../../test/tls/differential.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { certificateBase64, parseAlpn, parseAlpnChecked, recordChain, recordEncryptedExtensions, serverExtensionList, sharedKeyExchange, sharedSuite } from './observations.js';

// The reference is the engine's bounds-checked reader (parseAlpnChecked): the in-place reading must
// give the same protocol for every extension it reads, and the same error for every one it does not.
function outcome(f: (b: Buffer) => string, b: Buffer): string {
  try {
    return `ok ${JSON.stringify(f(b))}`;
  } catch (err) {
    return `error ${(err as Error).constructor.name} ${(err as Error).message}`;
  }
}

describe('parseAlpn', () => {
  it('reads a server\'s ALPN extension as the checked reader does, and fails the same way where that fails (seeded)', () => {
    const rnd = seededInts(0x1f2e3d4c);
    const names = ['h2', 'http/1.1', '', 'x'.repeat(255), 'caf\u00e9', 'imap'];
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < 5000; i++) {
      const name = Buffer.from(names[rnd(names.length)]!, 'utf8').subarray(0, 255);
      const entry = Buffer.concat([Buffer.from([name.length]), name]);
      const list = rnd(4) === 0 ? Buffer.concat([entry, entry]) : entry;
      let b = Buffer.concat([Buffer.from([list.length >> 8, list.length & 0xff]), list]);
      switch (rnd(6)) {
        case 0: b = b.subarray(0, rnd(b.length + 1)); break; // cut short
        case 1: b = Buffer.concat([b, Buffer.alloc(1 + rnd(3), 0x41)]); break; // trailing bytes
        case 2: b = Buffer.from(b); b[rnd(Math.min(3, b.length))] = rnd(256); break; // a length byte changed
        default: break;
      }
      const want = outcome(parseAlpnChecked, b);
      expect(outcome(parseAlpn, b)).toBe(want);
      if (want.startsWith('ok')) ok++;
      else failed++;
    }
    expect(ok).toBeGreaterThan(1000);
    expect(failed).toBeGreaterThan(300);
  });
});

// Each text is checked by decoding it back: the bytes it stands for must be the DER given, whatever
// the cache holds.
describe('certificateBase64', () => {
  const decoded = (der: Buffer) => Buffer.from(certificateBase64(der), 'base64');

  it('gives each certificate its own bytes, the same again on a hit', () => {
    const a = Buffer.alloc(900, 0x30);
    const b = Buffer.from(a);
    b[899] = 0x31; // same length, same prefix: only the last byte differs
    expect(decoded(a)).toEqual(a);
    expect(decoded(b)).toEqual(b);
    expect(decoded(a)).toEqual(a);
    expect(certificateBase64(Buffer.from(a))).toBe(certificateBase64(a));
  });

  it('keeps its own copy: a buffer written after it was seen is read as it is now', () => {
    const c = Buffer.alloc(700, 0x41);
    expect(decoded(c)).toEqual(Buffer.alloc(700, 0x41));
    c[0] = 0x42;
    expect(decoded(c)).toEqual(c);
    expect(decoded(Buffer.alloc(700, 0x41))).toEqual(Buffer.alloc(700, 0x41));
  });

  it('stays right past its bound (many certificates, large ones)', () => {
    const certs = Array.from({ length: 40 }, (_, i) => Buffer.alloc(500 + (i % 3), i));
    for (let round = 0; round < 2; round++) for (const c of certs) expect(decoded(c)).toEqual(c);
    const big = Buffer.alloc(20_000, 7);
    expect(decoded(big)).toEqual(big);
  });
});

// The record's shared pieces: the same value is the same frozen object, a different value never is,
// and what a record shows is checked against the JSON a record had before the pieces were shared.
describe('shared record pieces', () => {
  const ext = (...ids: number[]) => ids.map((id) => ({ id, data: Buffer.alloc(0) }));

  it('one frozen extension list per sequence of ids, in order', () => {
    const a = serverExtensionList(ext(65281, 11, 35));
    expect(JSON.stringify(a)).toBe('[{"id":65281,"name":"renegotiation_info"},{"id":11,"name":"ec_point_formats"},{"id":35,"name":"session_ticket"}]');
    expect(serverExtensionList(ext(65281, 11, 35))).toBe(a);
    expect(serverExtensionList(ext(11, 65281, 35))).not.toBe(a);
    expect(serverExtensionList(ext(65281, 11))).toEqual(a.slice(0, 2));
    expect(Object.isFrozen(a) && Object.isFrozen(a[0])).toBe(true);
    expect(() => (a as Array<{ id: number }>).push({ id: 1 })).toThrow();
  });

  it('EncryptedExtensions append to the ServerHello\'s list, which stays as it was', () => {
    const info: TlsInfo = { chain: [], ocspStapled: false, completed: false };
    const sh = serverExtensionList(ext(43, 51));
    info.serverExtensions = sh;
    // EncryptedExtensions with ALPN "h2" and server_name (empty).
    recordEncryptedExtensions(info, Buffer.from('000d0010000500030268320000000000', 'hex').subarray(0, 2 + 13));
    expect(JSON.stringify(info.serverExtensions)).toBe('[{"id":43,"name":"supported_versions"},{"id":51,"name":"key_share"},{"id":16,"name":"alpn"},{"id":0,"name":"server_name"}]');
    expect(info.alpn).toBe('h2');
    expect(JSON.stringify(sh)).toBe('[{"id":43,"name":"supported_versions"},{"id":51,"name":"key_share"}]');
  });

  it('suites and key exchanges: keys in the record\'s order, one object per value', () => {
    expect(JSON.stringify(sharedSuite(0x1301))).toBe('{"id":4865,"name":"TLS_AES_128_GCM_SHA256"}');
    expect(sharedSuite(0x1301)).toBe(sharedSuite(0x1301));
    expect(JSON.stringify(sharedKeyExchange('TLS13', 'x25519', 253))).toBe('{"kind":"TLS13","group":"x25519","bits":253}');
    expect(JSON.stringify(sharedKeyExchange('DHE', undefined, 0))).toBe('{"kind":"DHE","bits":0}');
    expect(JSON.stringify(sharedKeyExchange('ECDHE', 'curve_type_1', undefined))).toBe('{"kind":"ECDHE","group":"curve_type_1"}');
    expect(sharedKeyExchange('ECDHE', 'x25519', 253)).not.toBe(sharedKeyExchange('TLS13', 'x25519', 253));
    expect(JSON.stringify(sharedKeyExchange('ECDHE', 'x25519', 253))).toBe('{"kind":"ECDHE","group":"x25519","bits":253}');
    expect(JSON.stringify(sharedKeyExchange('DHE', undefined, 2048))).toBe('{"kind":"DHE","bits":2048}');
  });

  it('a chain is shared only with a chain of the same certificates', () => {
    const leaf = Buffer.alloc(600, 1), inter = Buffer.alloc(800, 2), other = Buffer.from(inter);
    other[799] = 3;
    const a: TlsInfo = { chain: [], ocspStapled: false, completed: false };
    const b: TlsInfo = { chain: [], ocspStapled: false, completed: false };
    const c: TlsInfo = { chain: [], ocspStapled: false, completed: false };
    recordChain(a, [leaf, inter]);
    recordChain(b, [Buffer.from(leaf), Buffer.from(inter)]);
    recordChain(c, [leaf, other]);
    expect(b.chain).toBe(a.chain);
    expect(c.chain).not.toBe(a.chain);
    expect(c.chain.map((t) => Buffer.from(t, 'base64'))).toEqual([leaf, other]);
    expect(Object.isFrozen(a.chain)).toBe(true);
  });
});
