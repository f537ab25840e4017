import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunningHash } from '../../src/tls/running-hash.js';
import { Tls12AeadProtection, Tls13Protection } from '../../src/tls/record-protection.js';

/**
 * Per-record nonces and additional data, which the protections rewrite in
 * place record after record. The truth is node's AES-GCM given the nonce and
 * additional data the RFCs define, written out here as literals: RFC 8446
 * section 5.3 (iv XOR the 64-bit sequence number) and RFC 5288 section 3
 * (4-byte salt, 8-byte explicit nonce; additional data seq || type || version || length).
 */
const hex = (s: string) => Buffer.from(s, 'hex');
const KEY = hex('000102030405060708090a0b0c0d0e0f');
const IV = hex('a0a1a2a3a4a5a6a7a8a9aaab');

function gcmOpen(nonce: Buffer, aad: Buffer, ctAndTag: Buffer): Buffer {
  const d = createDecipheriv('aes-128-gcm', KEY, nonce, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(ctAndTag.subarray(ctAndTag.length - 16));
  return Buffer.concat([d.update(ctAndTag.subarray(0, ctAndTag.length - 16)), d.final()]);
}

function gcmSeal(nonce: Buffer, aad: Buffer, pt: Buffer): Buffer {
  const c = createCipheriv('aes-128-gcm', KEY, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

describe('TLS 1.3 record nonces (RFC 8446 section 5.3)', () => {
  it('record n is sealed under iv XOR n, across byte boundaries of the sequence number', () => {
    const p = new Tls13Protection('aes-128-gcm', KEY, IV);
    const sealed: Buffer[] = [];
    for (let i = 0; i < 258; i++) sealed.push(p.seal(23, Buffer.from(`record ${i}`)));
    const expected: Array<[number, string]> = [
      [0, 'a0a1a2a3a4a5a6a7a8a9aaab'],
      [1, 'a0a1a2a3a4a5a6a7a8a9aaaa'],
      [255, 'a0a1a2a3a4a5a6a7a8a9aa54'],
      [256, 'a0a1a2a3a4a5a6a7a8a9abab'],
      [257, 'a0a1a2a3a4a5a6a7a8a9abaa'],
    ];
    for (const [n, nonce] of expected) {
      const rec = sealed[n]!;
      const inner = gcmOpen(hex(nonce), rec.subarray(0, 5), rec.subarray(5));
      expect(inner.toString(), `record ${n}`).toBe(`record ${n}\u0017`);
    }
  });

  it('past 2^32 records the high half of the sequence number reaches the nonce', () => {
    // 2^32 records cannot be sent in a test: the counter is set (a private field) to 2^32 + 1.
    const p = new Tls13Protection('aes-128-gcm', KEY, IV);
    (p as unknown as { seq: number }).seq = 2 ** 32 + 1;
    const rec = p.seal(23, Buffer.from('far'));
    expect(gcmOpen(hex('a0a1a2a3a4a5a6a6a8a9aaaa'), rec.subarray(0, 5), rec.subarray(5)).toString()).toBe('far\u0017');
  });

  it('open() takes records sealed under the defined nonces, in order, with any header buffer', () => {
    const p = new Tls13Protection('aes-128-gcm', KEY, IV);
    for (const [n, nonce] of [[0, 'a0a1a2a3a4a5a6a7a8a9aaab'], [1, 'a0a1a2a3a4a5a6a7a8a9aaaa'], [2, 'a0a1a2a3a4a5a6a7a8a9aaa9']] as const) {
      const inner = Buffer.from(`msg ${n}\u0016`);
      const header = Buffer.from([23, 3, 3, 0, inner.length + 16]);
      const out = p.open(Buffer.from(header), gcmSeal(hex(nonce), header, inner));
      expect([out.type, out.data.toString()]).toEqual([22, `msg ${n}`]);
    }
  });
});

describe('TLS 1.2 AES-GCM records (RFC 5288)', () => {
  const salt = hex('0a0b0c0d');

  it('open(): the nonce is the salt and each record\'s own explicit nonce; the additional data carries seq, type, version and length', () => {
    const p = new Tls12AeadProtection('aes-128-gcm', KEY, salt, 0x0303);
    const explicit = ['1111111111111111', '2222222222222222', '0000000000000007'];
    explicit.forEach((e, seq) => {
      const pt = Buffer.from(`record ${seq}`);
      const aad = Buffer.concat([hex(`000000000000000${seq}`), Buffer.from([22, 3, 3, 0, pt.length])]);
      const fragment = Buffer.concat([hex(e), gcmSeal(Buffer.concat([salt, hex(e)]), aad, pt)]);
      const out = p.open(Buffer.from([22, 3, 3, fragment.length >> 8, fragment.length & 255]), fragment);
      expect([out.type, out.data.toString()]).toEqual([22, `record ${seq}`]);
    });
  });

  it('seal(): explicit nonce = sequence number, under the defined nonce and additional data', () => {
    const p = new Tls12AeadProtection('aes-128-gcm', KEY, salt, 0x0303);
    for (let seq = 0; seq < 3; seq++) {
      const rec = p.seal(23, Buffer.from(`data ${seq}`));
      const explicit = rec.subarray(5, 13);
      expect(explicit.toString('hex')).toBe(`000000000000000${seq}`);
      const aad = Buffer.concat([hex(`000000000000000${seq}`), Buffer.from([23, 3, 3, 0, 6])]);
      expect(gcmOpen(Buffer.concat([salt, explicit]), aad, rec.subarray(13)).toString()).toBe(`data ${seq}`);
    }
  });
});

describe('RunningHash', () => {
  it('of() at each point and last() at the end equal the hash of the transcript so far', () => {
    const msgs = [Buffer.from('client hello'), Buffer.from('server hello'), Buffer.from('certificate'), Buffer.from('finished')];
    const sha = (n: number) => createHash('sha256').update(Buffer.concat(msgs.slice(0, n))).digest('hex');
    const transcript: Buffer[] = [];
    const h = new RunningHash(['sha256']);
    transcript.push(msgs[0]!, msgs[1]!);
    const a = h.of(transcript);
    transcript.push(msgs[2]!);
    const b = h.of(transcript);
    transcript.push(msgs[3]!);
    const c = h.last(transcript);
    expect([a, b, c].map((x) => x.toString('hex'))).toEqual([sha(2), sha(3), sha(4)]);
  });

  it('TLS 1.0/1.1: MD5 then SHA-1, side by side', () => {
    const msgs = [Buffer.from('a'), Buffer.from('bc')];
    const h = new RunningHash(['md5', 'sha1']);
    const want = createHash('md5').update('abc').digest('hex') + createHash('sha1').update('abc').digest('hex');
    expect(h.of(msgs).toString('hex')).toBe(want);
    expect(h.last(msgs).toString('hex')).toBe(want);
  });
});
