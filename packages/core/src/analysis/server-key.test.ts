import { describe, expect, it } from 'vitest';
import { ServerTally, serverKey } from './server-key.js';

describe('server keys', () => {
  it('packs IPv4 and port into a number, anything else into a string', () => {
    expect(serverKey('10.0.0.1', 25)).toBe((10 * 2 ** 24 + 1) * 65536 + 25);
    expect(serverKey('255.255.255.255', 65535)).toBe(2 ** 48 - 1);
    expect(serverKey('2001:db8::1', 25)).toBe('2001:db8::1|25');
    for (const odd of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01234.1.1.1', '']) expect(typeof serverKey(odd, 1)).toBe('string');
  });

  it('gives each (ip, port) pair its own key: a port out of 0-65535 is not packed into a neighbour\'s number', () => {
    // Packed, 10.0.0.1:65536 would be 10.0.0.2:0's number.
    expect(serverKey('10.0.0.1', 65536)).toBe('10.0.0.1|65536');
    expect(serverKey('10.0.0.2', 0)).toBe((10 * 2 ** 24 + 2) * 65536);
    expect(serverKey('10.0.0.2', -1)).toBe('10.0.0.2|-1');
    expect(serverKey('10.0.0.2', 25.5)).toBe('10.0.0.2|25.5');
  });

  it('counts a server once overall and once per group', () => {
    const t = new ServerTally();
    expect(t.add(1)).toBe(true); // seen, no group
    expect(t.add(1, 0)).toBe(true); // now in group 0
    expect(t.add(1, 0)).toBe(false);
    expect(t.add(1)).toBe(false);
    expect(t.add(1, 1)).toBe(true); // same ip:port under another service
    expect(t.add(1, 1)).toBe(false);
    expect(t.add('x', 1)).toBe(true);
    expect(t.size).toBe(2);
  });
});
