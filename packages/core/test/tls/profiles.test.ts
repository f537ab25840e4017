import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES, resolveProfile } from '../../src/tls/profiles.js';
import { buildClientHello, compileProfile } from '../../src/tls/client-hello.js';
import { generateKeyShare } from '../../src/tls/key-exchange.js';
import { ByteReader } from '../../src/tls/bytes.js';
import { parseExtensions } from '../../src/tls/server-messages.js';

/** Parse a ClientHello back (same layout as a ServerHello's extensions block). */
function parseHello(msg: Buffer) {
  const r = new ByteReader(msg.subarray(4), 'ClientHello');
  const version = r.u16();
  r.bytes(32);
  const sessionId = r.vec8();
  const suites = r.vec16();
  const compression = r.vec8();
  const exts = parseExtensions(r);
  return { version, sessionId, suites: [...Array(suites.length / 2).keys()].map((i) => suites.readUInt16BE(i * 2)), compression: [...compression], exts };
}

const hello = (name: string, user: Record<string, unknown> = {}, serverName?: string, alpn: string[] = []) => {
  const p = resolveProfile(name, user);
  const c = compileProfile(p);
  const shares = p.extensions.includes('key_share') ? p.keyShares.map(generateKeyShare) : [];
  return parseHello(buildClientHello(c, { random: Buffer.alloc(32, 1), sessionId: Buffer.alloc(p.sessionIdLength, 2), serverName, alpn, keyShares: shares }));
};

describe('profiles', () => {
  it('has the built-in profiles modern, compat and ssl3', () => {
    expect(Object.keys(BUILTIN_PROFILES).sort()).toEqual(['compat', 'modern', 'ssl3']);
    expect(resolveProfile('modern').supportedVersions).toEqual(['TLSv1.3', 'TLSv1.2']);
  });

  it('a user profile extends a built-in one and overrides fields', () => {
    const p = resolveProfile('rc4only', { rc4only: { extends: 'compat', cipherSuites: ['TLS_RSA_WITH_RC4_128_SHA', '0x0005', 4] } });
    expect(p.name).toBe('rc4only');
    expect(p.extensions).toEqual(BUILTIN_PROFILES.compat!.extensions);
    expect(compileProfile(p).suites).toEqual([5, 5, 4]);
  });

  it('a user profile may shadow a built-in name', () => {
    expect(resolveProfile('modern', { modern: { extends: 'modern', alpn: ['h2'] } }).alpn).toEqual(['h2']);
  });

  it.each([
    [{ x: { extends: 'compat', cipherSuites: ['TLS_NOPE'] } }, /tls\.profiles\.x\.cipherSuites\.0: unknown cipher suite "TLS_NOPE"/],
    [{ x: { extends: 'compat', groups: ['secp256r1', 'curve9'] } }, /tls\.profiles\.x\.groups\.1: unknown group/],
    [{ x: { extends: 'compat', keyShares: ['ffdhe2048'] } }, /tls\.profiles\.x\.keyShares\.0/],
    [{ x: { extends: 'compat', extensions: ['server_name', 'early_data'] } }, /tls\.profiles\.x\.extensions\.1/],
    [{ x: { extends: 'compat', clientVersion: 'TLSv9' } }, /tls\.profiles\.x\.clientVersion/],
    [{ x: { extends: 'compat', bogus: 1 } }, /tls\.profiles\.x\.bogus/],
    [{ x: { cipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] } }, /tls\.profiles\.x\.recordVersion/],
    [{ x: { extends: 'y' }, y: { extends: 'x' } }, /circular extends/],
    [{ x: { extends: 'nothing' } }, /unknown TLS profile "nothing"/],
  ])('rejects an invalid user profile with the profile and field named (%#)', (user, re) => {
    expect(() => resolveProfile('x', user as Record<string, unknown>)).toThrow(re);
  });
});

describe('ClientHello builder', () => {
  it('modern: TLS 1.3 offer with supported_versions, x25519 key share and a 32-byte session id', () => {
    const h = hello('modern', {}, 'mail.example');
    expect(h.version).toBe(0x0303);
    expect(h.sessionId).toHaveLength(32);
    expect(h.suites.slice(0, 3)).toEqual([0x1301, 0x1302, 0x1303]);
    const sv = h.exts.find((e) => e.id === 43)!.data;
    expect([...sv]).toEqual([4, 3, 4, 3, 3]);
    const ks = new ByteReader(h.exts.find((e) => e.id === 51)!.data, 'ks');
    const list = new ByteReader(ks.vec16(), 'ks');
    expect(list.u16()).toBe(29);
    expect(list.vec16()).toHaveLength(32);
    const sni = h.exts.find((e) => e.id === 0)!.data;
    expect(sni.subarray(5).toString()).toBe('mail.example');
    expect(h.exts.map((e) => e.id)).toEqual([0, 23, 0xff01, 10, 11, 35, 5, 13, 51, 45, 43]);
  });

  it('omits SNI without a server name and ALPN without protocols; sends the ALPN override', () => {
    expect(hello('modern').exts.some((e) => e.id === 0 || e.id === 16)).toBe(false);
    const alpn = hello('modern', {}, undefined, ['imap', 'h2']).exts.find((e) => e.id === 16)!.data;
    expect(alpn.toString('latin1')).toBe('\x00\x08\x04imap\x02h2');
  });

  it('compat: TLS 1.2 legacy version, RC4 and 3DES offered, SCSV last, no TLS 1.3 extensions', () => {
    const h = hello('compat');
    expect(h.version).toBe(0x0303);
    expect(h.suites).toContain(0x0005);
    expect(h.suites).toContain(0x000a);
    expect(h.suites.at(-1)).toBe(0x00ff);
    expect(h.exts.some((e) => e.id === 43 || e.id === 51)).toBe(false);
  });

  it('ssl3: version 3.0 and no extensions block at all', () => {
    const p = resolveProfile('ssl3');
    const msg = buildClientHello(compileProfile(p), { random: Buffer.alloc(32), sessionId: Buffer.alloc(0), alpn: [], keyShares: [] });
    const r = new ByteReader(msg.subarray(4), 'ch');
    expect(r.u16()).toBe(0x0300);
    r.bytes(32);
    r.vec8();
    r.vec16();
    r.vec8();
    expect(r.left).toBe(0);
  });
});
