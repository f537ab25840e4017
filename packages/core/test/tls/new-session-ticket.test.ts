import { describe, expect, it } from 'vitest';
import { parseNewSessionTicket } from '../../src/tls/server-messages.js';
import { TlsFailure } from '../../src/tls/tls-failure.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const vec8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
const vec16 = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
const ticket = Buffer.from('00112233445566778899aabbccddeeff' + 'ab'.repeat(40), 'hex');

/** A TLS 1.3 NewSessionTicket body (RFC 8446 4.6.1). */
function tls13Body(o: { ticket?: Buffer; extensions?: Buffer } = {}): Buffer {
  return Buffer.concat([u32(172800), u32(0x01020304), vec8(Buffer.from([0, 1])), vec16(o.ticket ?? ticket), vec16(o.extensions ?? Buffer.alloc(0))]);
}

function failure(f: () => unknown): TlsFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof TlsFailure) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('NewSessionTicket', () => {
  it('TLS 1.2 (RFC 5077): lifetime hint, length and key name', () => {
    expect(parseNewSessionTicket(Buffer.concat([u32(300), vec16(ticket)]), false)).toEqual({ lifetime: 300, length: ticket.length, keyName: '00112233445566778899aabbccddeeff' });
  });

  it('TLS 1.2: an empty ticket (the server will not issue one after all) has no key name', () => {
    expect(parseNewSessionTicket(Buffer.concat([u32(0), vec16(Buffer.alloc(0))]), false)).toEqual({ lifetime: 0, length: 0 });
  });

  it('TLS 1.3: lifetime and early_data max size; age_add and nonce are skipped', () => {
    const early = Buffer.concat([Buffer.from([0, 42]), vec16(u32(16384))]);
    expect(parseNewSessionTicket(tls13Body({ extensions: early }), true)).toEqual({ lifetime: 172800, length: ticket.length, keyName: '00112233445566778899aabbccddeeff', maxEarlyData: 16384 });
  });

  it('malformed tickets are classified protocol errors naming the message', () => {
    const cases: Buffer[] = [
      tls13Body({ ticket: Buffer.alloc(0) }), // TLS 1.3 tickets are at least one byte
      tls13Body().subarray(0, 20), // truncated
      Buffer.concat([tls13Body(), Buffer.from([0])]), // trailing byte
      tls13Body({ extensions: Buffer.concat([Buffer.from([0, 42]), vec16(Buffer.from([0, 0, 1]))]) }), // early_data of 3 bytes
    ];
    for (const body of cases) {
      const e = failure(() => parseNewSessionTicket(body, true));
      expect(e.kind).toBe('protocol');
      expect(e.message).toMatch(/^NewSessionTicket/);
    }
    expect(failure(() => parseNewSessionTicket(Buffer.from([0, 0, 1]), false)).kind).toBe('protocol');
  });
});
