import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES, DEFAULT_PROFILE, resolveProfile } from '../../src/tls/profiles.js';
import { buildClientHello, compileProfile, paddingLength } from '../../src/tls/client-hello.js';
import { cipherSuiteById } from '../../src/tls/cipher-suites.js';
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
  it('has the built-in profiles study (the default), modern, compat and ssl3', () => {
    expect(Object.keys(BUILTIN_PROFILES).sort()).toEqual(['compat', 'modern', 'ssl3', 'study']);
    expect(DEFAULT_PROFILE).toBe('study');
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

  it("compat: the OpenSSL 1.0.2 client's offer (ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2): every class it had, nothing it lacked", () => {
    const h = hello('compat', {}, 'mail.example.com');
    expect(h.version).toBe(0x0303);
    expect(h.sessionId).toHaveLength(0);
    expect(h.suites).toHaveLength(86);
    expect(h.suites.at(-1)).toBe(0x00ff);
    const names = h.suites.slice(0, -1).map((id) => cipherSuiteById(id)!.name);
    for (const bad of [/EXPORT/, /_NULL_/, /_anon_/, /WITH_DES_CBC/, /CHACHA20/, /^TLS_AES_/]) expect(names.filter((n) => bad.test(n))).toEqual([]);
    for (const want of [
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256',
      'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_DH_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA',
      'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'TLS_RSA_WITH_SEED_CBC_SHA', 'TLS_RSA_WITH_IDEA_CBC_SHA', 'TLS_RSA_WITH_RC4_128_MD5',
      'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
    ]) expect(names).toContain(want);
    // OpenSSL 1.0.2 order: AES-256 classes before AES-128, RC4 and 3DES last.
    expect(names[0]).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    expect(names.at(-1)).toBe('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(h.exts.map((e) => e.id)).toEqual([0, 11, 10, 35, 13, 5, 15, 21]);
    const sigalgs = new ByteReader(h.exts.find((e) => e.id === 13)!.data, 'sa').vec16();
    const algs = [...Array(sigalgs.length / 2).keys()].map((i) => sigalgs.readUInt16BE(i * 2));
    expect(algs).toContain(0x0201); // rsa_pkcs1_sha1
    expect(algs).toContain(0x0202); // dsa_sha1
    expect(algs).toHaveLength(15);
    expect([...h.exts.find((e) => e.id === 11)!.data]).toEqual([3, 0, 1, 2]);
  });

  it('study: compat unchanged and in order, TLS 1.3 suites first, ChaCha20 last, supported_versions 1.3 to 1.0, X25519 and P-256 shares', () => {
    const study = hello('study', {}, 'mail.example.com');
    const compat = hello('compat', {}, 'mail.example.com');
    expect(study.suites.slice(0, 3)).toEqual([0x1302, 0x1303, 0x1301]);
    expect(study.suites.slice(3, 3 + compat.suites.length - 1)).toEqual(compat.suites.slice(0, -1));
    expect(study.suites.slice(-4)).toEqual([0xcca9, 0xcca8, 0xccaa, 0x00ff]);
    expect([...study.exts.find((e) => e.id === 43)!.data]).toEqual([8, 3, 4, 3, 3, 3, 2, 3, 1]);
    const ks = new ByteReader(new ByteReader(study.exts.find((e) => e.id === 51)!.data, 'ks').vec16(), 'ks');
    expect(ks.u16()).toBe(29);
    expect(ks.vec16()).toHaveLength(32);
    expect(ks.u16()).toBe(23);
    expect(ks.vec16()).toHaveLength(65);
    expect(study.sessionId).toHaveLength(32);
    // The 1.0.2 extensions first and in their order; with two key shares the hello is past 511 bytes: no padding.
    expect(study.exts.map((e) => e.id)).toEqual([0, 11, 10, 35, 13, 5, 15, 43, 51, 45]);
    // Without SNI it would be 503 bytes: padded to 512, the padding extension last.
    expect(hello('study').exts.map((e) => e.id)).toEqual([11, 10, 35, 13, 5, 15, 43, 51, 45, 21]);
    const groups = new ByteReader(study.exts.find((e) => e.id === 10)!.data, 'g').vec16();
    expect(groups.readUInt16BE(0)).toBe(23);
    expect(groups.readUInt16BE(groups.length - 2)).toBe(29);
  });

  it('RFC 7685 padding: a hello of 256-511 bytes is padded to 512 (never into the window), others are left alone', () => {
    expect(paddingLength(255)).toBeUndefined();
    expect(paddingLength(256)).toBe(252);
    expect(paddingLength(507)).toBe(1);
    expect(paddingLength(508)).toBe(1); // 4 would leave no room for the extension header: 513 bytes
    expect(paddingLength(512)).toBeUndefined();
    for (const name of ['study', 'compat']) {
      for (const sni of [undefined, 'mx.example', 'a-rather-long-host-name.mail.some-university.example.ac.uk']) {
        const p = resolveProfile(name);
        const input = { random: Buffer.alloc(32), sessionId: Buffer.alloc(p.sessionIdLength), serverName: sni, alpn: [], keyShares: p.keyShares.map(generateKeyShare) };
        const msg = buildClientHello(compileProfile(p), input);
        const unpadded = buildClientHello(compileProfile({ ...p, extensions: p.extensions.filter((e) => e !== 'padding') }), input);
        expect(msg.length, `${name} ${sni}`).toBe(unpadded.length >= 256 && unpadded.length < 512 ? 512 : unpadded.length);
        expect(msg.length >= 256 && msg.length < 512, `${name} ${sni}`).toBe(false);
      }
    }
    // Outside the window no padding extension is sent, even when the profile lists it.
    const small = hello('tiny', { tiny: { extends: 'modern', extensions: ['supported_versions', 'key_share', 'padding'] } });
    expect(small.exts.map((e) => e.id)).toEqual([43, 51]);
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
