import { describe, expect, it } from 'vitest';
import { ipv4At, ipv4Text, ipv6Text } from './ip-text.js';

const v4 = (b: Uint8Array, at: number) => ipv4Text(ipv4At(b, at), b, at);

describe('address text', () => {
  it('gives each IPv4 address its dotted quad, however addresses share the remembered texts', () => {
    // 70,000 addresses (many more than the remembered slots, so slots are shared and replaced), in two
    // passes and at varying offsets: a remembered text is only ever given back for its own address.
    const b = new Uint8Array(8);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 70_000; i++) {
        const q = [(i * 7) & 255, (i >> 8) & 255, i & 255, (i * 13 + pass) & 255];
        const at = i & 3;
        b.set(q, at);
        expect(ipv4At(b, at)).toBe(((q[0]! * 256 + q[1]!) * 256 + q[2]!) * 256 + q[3]!);
        expect(v4(b, at)).toBe(q.join('.'));
      }
    }
    // 0.0.0.0 and 255.255.255.255 (the extremes of the remembered key) are addresses like any other.
    expect(v4(new Uint8Array(4), 0)).toBe('0.0.0.0');
    expect(v4(new Uint8Array([255, 255, 255, 255]), 0)).toBe('255.255.255.255');
  });

  it('writes IPv6 as RFC 5952 says, IPv4-mapped addresses with their dotted quad', () => {
    const v6 = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
    expect(ipv6Text(v6('20010db8000000000000000000000001'), 0)).toBe('2001:db8::1');
    expect(ipv6Text(v6('00000000000000000000ffffc0000201'), 0)).toBe('::ffff:192.0.2.1');
  });
});
