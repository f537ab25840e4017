import { describe, expect, it } from 'vitest';
import { seededInts } from '../../test/tls/differential.js';
import type { TlsInfo } from '../record/tls-schema.js';
import { parseCertificate, parseNewSessionTicket } from '../tls/server-messages.js';
import { TlsFailure } from '../tls/tls-failure.js';
import { knownChain, rememberCertificate, sharedChain, sharedKeyExchange, sharedServerExtensions, sharedSuite, sharedTicket12, tlsJson } from './passive-tls.js';

// Truth is JSON.stringify of the same object (tlsJson must equal it, key order included), and the
// engine's checked NewSessionTicket parser for the fast TLS 1.2 ticket reader.

const der = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('tlsJson', () => {
  it('is JSON.stringify of tls: shared pieces, own objects, keys in any order, undefined values, empty', () => {
    const cases: object[] = [
      {},
      { chain: [], ocspStapled: false, completed: false },
      {
        chain: sharedChain([der(40, 1), der(30, 2)]),
        ocspStapled: true,
        ocspResponse: 'AAEC',
        completed: true,
        version: 'TLSv1.2',
        cipherSuite: sharedSuite(49195),
        serverExtensions: sharedServerExtensions([{ id: 65281, data: Buffer.alloc(0) }, { id: 11, data: Buffer.alloc(0) }, { id: 2570, data: Buffer.alloc(0) }]),
        alpn: 'h2',
        keyExchange: sharedKeyExchange('ECDHE', 'x25519', 253),
        sessionTickets: [sharedTicket12(Buffer.from('00001c200010' + '11'.repeat(16), 'hex'))!, { lifetime: 1, length: 0 }],
      },
      // Keys in another order, an own (unshared) copy of each piece, a value undefined, a quote and a control character.
      {
        version: 'TLSv1.3',
        keyExchange: { kind: 'TLS13', group: 'x25519', bits: 253 },
        error: { kind: 'protocol', message: 'server: "x"\u0001\\', offset: 3 },
        alpn: undefined,
        serverExtensions: [{ id: 43, name: 'supported_versions' }],
        chain: ['AA==', undefined],
        completed: false,
        notCompletedReason: 'no ServerHello seen',
      },
      { keyExchange: sharedKeyExchange('DHE', undefined, 2048), cipherSuite: sharedSuite(0x1301) },
      { keyExchange: sharedKeyExchange('RSA', undefined, undefined), sessionTickets: [] },
    ];
    for (const c of cases) expect(tlsJson(c as TlsInfo)).toBe(JSON.stringify(c));
  });

  it('shares one frozen object per value, key order as the engine writes it', () => {
    expect(sharedSuite(4865)).toBe(sharedSuite(4865));
    expect(sharedSuite(4865)).toEqual({ id: 4865, name: 'TLS_AES_128_GCM_SHA256' });
    const exts = [{ id: 43, data: Buffer.alloc(2) }, { id: 51, data: Buffer.alloc(36) }];
    const list = sharedServerExtensions(exts);
    expect(sharedServerExtensions(exts.map((e) => ({ ...e })))).toBe(list);
    expect(sharedServerExtensions([exts[1]!, exts[0]!])).not.toBe(list);
    expect(JSON.stringify(list)).toBe('[{"id":43,"name":"supported_versions"},{"id":51,"name":"key_share"}]');
    expect(JSON.stringify(sharedKeyExchange('ECDHE', 'curve_type_1', undefined))).toBe('{"kind":"ECDHE","group":"curve_type_1"}');
    expect(JSON.stringify(sharedKeyExchange('DHE', undefined, 1024))).toBe('{"kind":"DHE","bits":1024}');
    expect(sharedKeyExchange('TLS13', 'x25519', 253)).toBe(sharedKeyExchange('TLS13', 'x25519', 253));
    for (const piece of [sharedSuite(4865), list, list[0]!, sharedKeyExchange('TLS13', 'x25519', 253)]) {
      expect(Object.isFrozen(piece)).toBe(true);
    }
    expect(() => (list as unknown[]).push(0)).toThrow(TypeError);
  });

  it('a chain seen again is the same array; one that differs in any byte, in its length or its count is not', () => {
    const a = [der(300, 5), der(200, 6)];
    const chain = sharedChain(a);
    expect(chain).toEqual(a.map((d) => d.toString('base64')));
    expect(sharedChain(a.map((d) => Buffer.from(d)))).toBe(chain);
    // The same last bytes and lengths (the cache's key) but another byte early on: not the same chain.
    const early = a.map((d) => Buffer.from(d));
    early[0]![3] = 9;
    expect(sharedChain(early)).not.toBe(chain);
    expect(sharedChain(early)).toEqual(early.map((d) => d.toString('base64')));
    expect(sharedChain([a[0]!])).toEqual([a[0]!.toString('base64')]);
    expect(sharedChain([])).toEqual([]);
    // The copy it keeps is its own: changing the bytes it was made from later does not make a stale hit.
    const mine = [der(100, 7)];
    const first = sharedChain(mine);
    mine[0]![0] = 1;
    expect(sharedChain(mine)).toEqual([mine[0]!.toString('base64')]);
    expect(sharedChain(mine)).not.toBe(first);
    expect(Object.isFrozen(chain)).toBe(true);
  });
});

describe('knownChain', () => {
  it('gives the remembered chain for the same Certificate message only, within the reader\'s entry limit', () => {
    const certs = [der(50, 1), der(60, 2), der(70, 3)];
    const list = Buffer.concat(certs.map((c) => Buffer.concat([Buffer.from([0, 0, c.length]), c])));
    const body = Buffer.concat([Buffer.from([0, list.length >> 8, list.length & 0xff]), list]);
    const chain = sharedChain(parseCertificate(body, false).chain);
    rememberCertificate(body, chain);
    expect(knownChain(Buffer.from(body), 8)).toBe(chain);
    expect(chain).toEqual(certs.map((c) => c.toString('base64')));
    // Its copy is its own: the bytes it was given changing later make no stale hit.
    body[body.length - 1] = 9;
    expect(knownChain(body, 8)).toBeUndefined();
    body[body.length - 1] = 3;
    expect(knownChain(body, 8)).toBe(chain);
    expect(knownChain(body.subarray(0, body.length - 1), 8)).toBeUndefined();
    // Over the reader's limit: read again (and failed there as before).
    expect(knownChain(body, 2)).toBeUndefined();
    expect(() => parseCertificate(body, false, 2)).toThrow(TlsFailure);
  });
});

describe('sharedTicket12', () => {
  it('states a TLS 1.2 NewSessionTicket as the engine\'s parser does, and reads nothing it would refuse (seeded)', () => {
    const rnd = seededInts(0x2545f491);
    let read = 0;
    for (let i = 0; i < 3000; i++) {
      const ticket = rnd(4) === 0 ? rnd(20) : rnd(300);
      const body = Buffer.alloc(6 + ticket);
      body.writeUInt32BE(rnd(3) === 0 ? 7200 : rnd(0xffffffff), 0);
      body.writeUInt16BE(ticket, 4);
      for (let j = 6; j < body.length; j++) body[j] = rnd(3) === 0 ? 0xab : rnd(256);
      // Some bodies cut short, some with trailing bytes, some with a wrong length.
      const cut = rnd(5);
      const b = cut === 0 ? body.subarray(0, rnd(body.length)) : cut === 1 ? Buffer.concat([body, Buffer.alloc(1 + rnd(3))]) : cut === 2 ? Buffer.from(body).fill(rnd(256), 4, 5) : body;
      let want: unknown;
      try {
        want = parseNewSessionTicket(b, false);
      } catch (err) {
        expect(err).toBeInstanceOf(TlsFailure);
        want = undefined;
      }
      const got = sharedTicket12(b);
      if (got !== undefined) read++;
      expect(got === undefined ? undefined : JSON.stringify(got)).toBe(want === undefined ? undefined : JSON.stringify(want));
      expect(got).toEqual(want);
    }
    expect(read).toBeGreaterThan(1000);
  });

  it('tickets of one key name, lifetime and length are one frozen object', () => {
    const body = Buffer.from('00001c2000b0' + 'cd'.repeat(176), 'hex');
    const t = sharedTicket12(body)!;
    expect(t).toEqual({ lifetime: 7200, length: 176, keyName: 'cd'.repeat(16) });
    expect(sharedTicket12(Buffer.from(body))).toBe(t);
    expect(Object.isFrozen(t)).toBe(true);
    body[6] = 0;
    expect(sharedTicket12(body)).not.toBe(t);
  });
});
