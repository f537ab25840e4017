import { describe, expect, it } from 'vitest';
import { feedAll, flightBytes, loadFlights, replayMachine, split } from './replay.js';

const flights = loadFlights();
const byName = (n: string) => flights.find((f) => f.name === n)!;

describe('recorded server flights (openssl s_server, node tls.Server)', () => {
  it('has the recorded fixtures', () => {
    expect(flights.map((f) => f.name)).toEqual(expect.arrayContaining([
      'tls13-x25519-openssl', 'tls13-hrr-p256-openssl', 'tls13-node-echo', 'tls12-node-echo', 'tls12-ecdhe-rsa-ocsp-openssl', 'tls12-dhe1024-openssl', 'tls10-ecdhe-cbc-openssl', 'alert-protocol-version-openssl',
    ]));
  });

  for (const name of ['tls13-x25519-openssl', 'tls13-hrr-p256-openssl', 'tls12-ecdhe-rsa-ocsp-openssl', 'tls10-ecdhe-cbc-openssl']) {
    for (const [how, piece] of [['as recorded', 0], ['byte by byte', 1], ['in 7-byte pieces', 7], ['coalesced', 1 << 20]] as const) {
      it(`${name}: completes and decrypts application data, ${how}`, () => {
        const f = byName(name);
        const hs = replayMachine(f);
        const bytes = flightBytes(f);
        const pieces = piece === 0 ? f.serverChunks.map((c) => Buffer.from(c, 'hex')) : split(bytes, piece);
        const app = feedAll(hs, pieces);
        expect(hs.info.error).toBeUndefined();
        expect(hs.state).toBe('done');
        expect(hs.info.completed).toBe(true);
        expect(hs.info.version).toBe(f.info.version);
        expect(hs.info.cipherSuite).toEqual(f.info.cipherSuite);
        expect(hs.info.keyExchange).toEqual(f.info.keyExchange);
        expect(hs.info.chain).toEqual(f.expectedChain);
        expect(app).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      });
    }
  }

  for (const name of ['tls13-node-echo', 'tls12-node-echo']) {
    it(`${name}: completes, skips session tickets, decrypts the echoed request (byte by byte too)`, () => {
      const f = byName(name);
      for (const piece of [1 << 20, 1]) {
        const hs = replayMachine(f);
        const app = feedAll(hs, split(flightBytes(f), piece));
        expect(hs.info.error).toBeUndefined();
        expect(hs.info).toMatchObject({ completed: true, version: f.info.version, cipherSuite: f.info.cipherSuite, keyExchange: f.info.keyExchange });
        expect(hs.info.chain).toEqual(f.expectedChain);
        expect(app).toBe('GET / HTTP/1.0\r\n\r\n');
      }
    });
  }

  it('TLS 1.3: x25519 share, AES-128-GCM, chain of two as sent', () => {
    const hs = replayMachine(byName('tls13-x25519-openssl'));
    feedAll(hs, [flightBytes(byName('tls13-x25519-openssl'))]);
    expect(hs.info).toMatchObject({ version: 'TLSv1.3', cipherSuite: { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256' }, keyExchange: { kind: 'TLS13', group: 'x25519' } });
    expect(hs.info.chain).toHaveLength(2);
    expect(hs.info.helloRetry).toBeUndefined();
  });

  it('TLS 1.3: answers a HelloRetryRequest for secp256r1', () => {
    const f = byName('tls13-hrr-p256-openssl');
    const hs = replayMachine(f);
    feedAll(hs, [flightBytes(f)]);
    expect(hs.info.helloRetry).toEqual({ group: 'secp256r1', cookie: false });
    expect(hs.info.keyExchange).toEqual({ kind: 'TLS13', group: 'secp256r1', bits: 256 });
  });

  it('TLS 1.2: captures the stapled OCSP response bytes and the ECDHE group', () => {
    const f = byName('tls12-ecdhe-rsa-ocsp-openssl');
    const hs = replayMachine(f);
    feedAll(hs, [flightBytes(f)]);
    expect(hs.info.ocspStapled).toBe(true);
    expect(hs.info.ocspResponse).toBe(f.expectedOcsp);
    expect(hs.info.keyExchange).toEqual({ kind: 'ECDHE', group: 'secp256r1', bits: 256 });
    expect(hs.info.serverExtensions?.map((e) => e.name)).toContain('status_request');
  });

  it('records NewSessionTicket: the TLS 1.2 one within the handshake, TLS 1.3 ones after it, with the key name shared by a server\'s tickets', () => {
    const keyName = /^[0-9a-f]{32}$/;
    const tls12 = replayMachine(byName('tls12-ecdhe-rsa-ocsp-openssl'));
    feedAll(tls12, [flightBytes(byName('tls12-ecdhe-rsa-ocsp-openssl'))]);
    expect(tls12.info.sessionTickets).toEqual([{ lifetime: 7200, length: 160, keyName: expect.stringMatching(keyName) }]);

    const f = byName('tls13-x25519-openssl');
    const hs = replayMachine(f);
    const bytes = flightBytes(f);
    const end = 2035; // where the handshake completes (the server Finished's last byte)
    feedAll(hs, [bytes.subarray(0, end)]);
    expect(hs.state).toBe('done');
    expect(hs.info.sessionTickets).toBeUndefined();
    feedAll(hs, [bytes.subarray(end)]);
    const tickets = hs.info.sessionTickets!;
    expect(tickets).toHaveLength(2);
    expect(tickets[0]).toEqual({ lifetime: 7200, length: 192, keyName: expect.stringMatching(keyName) });
    expect(tickets[1]!.keyName).toBe(tickets[0]!.keyName);

    // Observe-only TLS 1.2 stops at ServerHelloDone, before the ticket.
    const obs = replayMachine(byName('tls12-ecdhe-rsa-ocsp-openssl'), true);
    feedAll(obs, [flightBytes(byName('tls12-ecdhe-rsa-ocsp-openssl'))]);
    expect(obs.info.sessionTickets).toBeUndefined();
  });

  it('TLS 1.2 DHE: reports the 1024-bit prime in observe-only mode and sends nothing after the hello', () => {
    const f = byName('tls12-dhe1024-openssl');
    const hs = replayMachine(f, true);
    hs.feed(flightBytes(f));
    expect(hs.drain()).toBeUndefined();
    expect(hs.state).toBe('done');
    expect(hs.info).toMatchObject({ completed: false, notCompletedReason: 'observe-only', version: 'TLSv1.2', keyExchange: { kind: 'DHE', bits: 1024 } });
    expect(hs.info.cipherSuite?.name).toBe('TLS_DHE_RSA_WITH_AES_128_CBC_SHA256');
    expect(hs.info.chain).toEqual(f.expectedChain);
  });

  it('TLS 1.2 DHE: a replayed flight fails the Finished check (our DH key is fresh), classified, not thrown', () => {
    const f = byName('tls12-dhe1024-openssl');
    const hs = replayMachine(f);
    feedAll(hs, [flightBytes(f)]);
    expect(hs.state).toBe('failed');
    expect(hs.info.error?.kind).toBe('protocol');
    expect(hs.info.error?.message).toMatch(/bad_record_mac|does not verify/);
  });

  it('a fatal alert instead of a ServerHello is classified with its name and code', () => {
    const f = byName('alert-protocol-version-openssl');
    const hs = replayMachine(f);
    feedAll(hs, [flightBytes(f)]);
    expect(hs.info.alert).toEqual({ level: 'fatal', description: 'protocol_version', code: 70 });
    expect(hs.info.error).toMatchObject({ kind: 'alert', messageType: 'Alert', offset: 0 });
  });

  it('observe-only TLS 1.3 stops after the server Finished with the chain decrypted', () => {
    const f = byName('tls13-x25519-openssl');
    const hs = replayMachine(f, true);
    feedAll(hs, [flightBytes(f)]);
    expect(hs.info).toMatchObject({ completed: false, notCompletedReason: 'observe-only' });
    expect(hs.info.chain).toEqual(f.expectedChain);
  });

  it('a flipped byte in the encrypted TLS 1.3 flight is a bad_record_mac protocol error with its offset', () => {
    const f = byName('tls13-x25519-openssl');
    const bytes = Buffer.from(flightBytes(f));
    // The ServerHello record is followed by CCS (6 bytes) then the first encrypted record.
    const shLen = bytes.readUInt16BE(3) + 5;
    bytes[shLen + 6 + 10]! ^= 1;
    const hs = replayMachine(f);
    feedAll(hs, [bytes]);
    expect(hs.info.error).toMatchObject({ kind: 'protocol', messageType: 'record', offset: shLen + 6 });
  });

  /** Offsets of every record header in a flight. */
  function recordOffsets(bytes: Buffer): number[] {
    const at: number[] = [];
    for (let o = 0; o + 5 <= bytes.length; o += 5 + bytes.readUInt16BE(o + 3)) at.push(o);
    return at;
  }

  it('TLS 1.0 and 1.2: a record after the ServerHello with another version is a protocol error at that record (found by the stacked fuzz)', () => {
    for (const name of ['tls10-ecdhe-cbc-openssl', 'tls12-ecdhe-rsa-ocsp-openssl']) {
      const f = byName(name);
      const bytes = Buffer.from(flightBytes(f));
      // The server's encrypted Finished: the first record after its ChangeCipherSpec (type 20).
      const offsets = recordOffsets(bytes);
      const fin = offsets[offsets.findIndex((o) => bytes[o] === 20) + 1]!;
      bytes[fin + 2] = 0xb6;
      const hs = replayMachine(f);
      feedAll(hs, [bytes]);
      expect(hs.state, name).toBe('failed');
      expect(hs.info.completed).toBe(false);
      expect(hs.info.error, name).toMatchObject({ kind: 'protocol', messageType: 'record', offset: fin });
      expect(hs.info.error?.message).toMatch(/^record version 0x03b6 after negotiating TLSv1\.[02]$/);
      expect(hs.info.chain).toEqual(f.expectedChain);
    }
  });

  it('TLS 1.3: a compatibility ChangeCipherSpec other than 0x01 is a protocol error at its record (found by the stacked fuzz)', () => {
    for (const name of ['tls13-x25519-openssl', 'tls13-hrr-p256-openssl']) {
      const f = byName(name);
      const bytes = Buffer.from(flightBytes(f));
      const ccs = recordOffsets(bytes).find((o) => bytes[o] === 20)!;
      bytes[ccs + 5] = 2;
      const hs = replayMachine(f);
      feedAll(hs, [bytes]);
      expect(hs.info.error, name).toMatchObject({ kind: 'protocol', messageType: 'ChangeCipherSpec', offset: ccs });
    }
  });

  it('the ServerHello record itself may carry another record version (servers answer a 0x0301 record layer)', () => {
    const f = byName('tls12-ecdhe-rsa-ocsp-openssl');
    const bytes = Buffer.from(flightBytes(f));
    bytes[2] = 0x01;
    const hs = replayMachine(f, true);
    feedAll(hs, [bytes]);
    expect(hs.info.error).toBeUndefined();
    expect(hs.info.version).toBe('TLSv1.2');
  });
});
