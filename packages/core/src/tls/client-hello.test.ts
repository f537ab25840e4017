import { describe, expect, it } from 'vitest';
import { clientHelloRecord, compileProfile, type ClientHelloInput } from './client-hello.js';
import { parseClientHello } from './client-hello-parse.js';
import { ClientHandshake } from './client-handshake.js';
import type { KeyShare } from './key-exchange.js';
import { resolveProfile } from './profiles.js';

// The ClientHello template (client-hello.ts): a hello written once is copied for the next probe with
// the same inputs. What each hello must carry is read back from its bytes by the passive parser.

const share = (group: string, fill: number): KeyShare => ({ group, publicKey: Buffer.alloc(32, fill), compute: () => Buffer.alloc(0) });

/** The key_share extension's one entry: group code and key. */
function keyShareOf(msg: Buffer): Buffer {
  const ext = parseClientHello(msg.subarray(4)).extensions.find((e) => e.id === 51)!;
  return ext.data.subarray(2 + 4);
}

const randomOf = (msg: Buffer) => msg.subarray(6, 38);

describe('ClientHello template', () => {
  const profile = resolveProfile('modern', {});
  const cp = compileProfile(profile);
  // One share for every hello (as a reused share is): a new key would miss the template anyway.
  const reused = share('x25519', 0xa1);
  const input = (over: Partial<ClientHelloInput>): ClientHelloInput => ({
    random: Buffer.alloc(32, 1),
    sessionId: Buffer.alloc(profile.sessionIdLength, 2),
    alpn: [],
    keyShares: [reused],
    ...over,
  });

  it('gives each probe its random and session id, in its own buffer', () => {
    const a = clientHelloRecord(cp, input({ random: Buffer.alloc(32, 0x11), sessionId: Buffer.alloc(32, 0x12) }));
    const b = clientHelloRecord(cp, input({ random: Buffer.alloc(32, 0x21), sessionId: Buffer.alloc(32, 0x22) }));
    const c = clientHelloRecord(cp, input({ random: Buffer.alloc(32, 0x31), sessionId: Buffer.alloc(32, 0x32) }));
    expect(randomOf(a.message)).toEqual(Buffer.alloc(32, 0x11));
    expect(randomOf(b.message)).toEqual(Buffer.alloc(32, 0x21));
    expect(randomOf(c.message)).toEqual(Buffer.alloc(32, 0x31));
    expect(parseClientHello(b.message.subarray(4)).sessionId).toEqual(Buffer.alloc(32, 0x22));
    expect(parseClientHello(c.message.subarray(4)).sessionId).toEqual(Buffer.alloc(32, 0x32));
    // The earlier probe's bytes (its transcript) stay as they were sent.
    expect(randomOf(a.message)).toEqual(Buffer.alloc(32, 0x11));
    expect(a.record.subarray(5)).toEqual(a.message);
    // Apart from random and session id, the same bytes.
    const strip = (m: Buffer) => Buffer.concat([m.subarray(0, 6), m.subarray(38 + 33)]);
    expect(strip(b.message)).toEqual(strip(a.message));
  });

  it('is not reused across a changed SNI, ALPN or session id length', () => {
    const none = clientHelloRecord(cp, input({}));
    expect(parseClientHello(none.message.subarray(4)).serverName).toBeUndefined();
    const named = clientHelloRecord(cp, input({ serverName: 'a.example' }));
    expect(parseClientHello(named.message.subarray(4)).serverName).toBe('a.example');
    const other = clientHelloRecord(cp, input({ serverName: 'b.example' }));
    expect(parseClientHello(other.message.subarray(4)).serverName).toBe('b.example');
    expect(parseClientHello(clientHelloRecord(cp, input({})).message.subarray(4)).serverName).toBeUndefined();
    const alpn = clientHelloRecord(cp, input({ alpn: ['h2'] }));
    expect(parseClientHello(alpn.message.subarray(4)).alpn).toEqual(['h2']);
    const alpn2 = clientHelloRecord(cp, input({ alpn: ['h3'] }));
    expect(parseClientHello(alpn2.message.subarray(4)).alpn).toEqual(['h3']);
    expect(parseClientHello(clientHelloRecord(cp, input({})).message.subarray(4)).alpn).toEqual([]);
    const sid = clientHelloRecord(cp, input({ sessionId: Buffer.alloc(0) }));
    expect(parseClientHello(sid.message.subarray(4)).sessionId.length).toBe(0);
    expect(parseClientHello(clientHelloRecord(cp, input({})).message.subarray(4)).sessionId).toEqual(Buffer.alloc(32, 2));
  });

  it('is not reused across a rotated key share', () => {
    const first = share('x25519', 0xb1);
    const rotated = share('x25519', 0xb2);
    expect(keyShareOf(clientHelloRecord(cp, input({ keyShares: [first] })).message)).toEqual(first.publicKey);
    expect(keyShareOf(clientHelloRecord(cp, input({ keyShares: [first] })).message)).toEqual(first.publicKey);
    expect(keyShareOf(clientHelloRecord(cp, input({ keyShares: [rotated] })).message)).toEqual(rotated.publicKey);
  });

  it('is bounded: many distinct inputs, and the first one still gets its own bytes', () => {
    for (let i = 0; i < 50; i++) {
      const m = clientHelloRecord(cp, input({ alpn: [`p${i}`] })).message;
      expect(parseClientHello(m.subarray(4)).alpn).toEqual([`p${i}`]);
    }
    expect(parseClientHello(clientHelloRecord(cp, input({ alpn: ['p0'] })).message.subarray(4)).alpn).toEqual(['p0']);
  });

  it('two engines reusing one key share send different randoms and the same offer', () => {
    const hellos = [0, 1].map(() => {
      const hs = new ClientHandshake(profile, { observeOnly: true, keyShareReuse: { handshakes: 64, ms: 60_000 } });
      hs.start();
      return { msg: hs.transcript[0]!, wire: hs.drain()! };
    });
    expect(hellos[0]!.wire.subarray(5)).toEqual(hellos[0]!.msg);
    expect(hellos[1]!.wire.subarray(5)).toEqual(hellos[1]!.msg);
    expect(randomOf(hellos[0]!.msg)).not.toEqual(randomOf(hellos[1]!.msg));
    expect(keyShareOf(hellos[0]!.msg)).toEqual(keyShareOf(hellos[1]!.msg));
  });
});
