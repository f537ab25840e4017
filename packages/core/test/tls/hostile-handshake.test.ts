import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialTcp } from '../../src/net/dial.js';
import { ByteBudget } from '../../src/net/byte-budget.js';
import { RawTlsEngine } from '../../src/tls/raw-tls-engine.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import type { TlsInfo } from '../../src/record/tls-schema.js';
import {
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA, certificate, dheServerKeyExchange, handshakeRecords,
  oddNumber, record, serverHello, serverHelloDone, startFlightServer, writeInPieces, type FlightServer,
} from './hostile-flights.js';

/**
 * Servers that try to make the handshake cost the scanner CPU or memory: each
 * case ends in a classified tls.error after a bounded part of what the server
 * sent, with a small record. Plaintext flights, written from the RFC layouts,
 * sent by a loopback server on 127.0.42.1 after the ClientHello.
 */
const HOST = '127.0.42.1';
const LEAF = Buffer.from('3082', 'hex'); // any bytes: a certificate is never parsed on the hot path

let server: FlightServer;
let send: (s: Socket) => void | Promise<void> = () => {};

beforeAll(async () => {
  server = await startFlightServer(HOST, (s) => send(s));
});
afterAll(async () => {
  await server.close();
});

async function handshake(flight: (s: Socket) => void | Promise<void>, o: { observeOnly?: boolean; budget?: ByteBudget } = {}): Promise<TlsInfo> {
  send = flight;
  const socket = await dialTcp(server.host, server.port, { timeoutMs: 2000 });
  socket.on('error', () => {});
  const { info, stream } = await new RawTlsEngine().handshake(socket, {
    profile: resolveProfile('compat'),
    observeOnly: o.observeOnly ?? false,
    readTimeoutMs: 3000,
    maxBytes: 8 << 20,
    ...(o.budget ? { budget: o.budget } : {}),
  });
  stream?.destroy();
  return info;
}

const small = (info: TlsInfo) => expect(JSON.stringify(info).length).toBeLessThan(2048);

describe('hostile servers during the handshake', () => {
  it('one-byte records in a burst (1.2 MiB in one write): failed at record 1025, the rest never read', async () => {
    const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate([Buffer.alloc(200_000, 1)]), serverHelloDone()]);
    const info = await handshake((s) => void s.write(handshakeRecords(stream, 1)));
    expect(info.error).toMatchObject({ kind: 'protocol', messageType: 'record', message: 'more than 1024 records before the handshake ended' });
    expect(info.error!.offset).toBe(1024 * 6);
    expect(info.version).toBe('TLSv1.2');
    small(info);
  });

  it('one-byte records within the record cap still reassemble into the flight', async () => {
    const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate([LEAF]), serverHelloDone()]);
    const info = await handshake((s) => void s.write(handshakeRecords(stream, 1)), { observeOnly: true });
    expect(info.error).toBeUndefined();
    expect(info).toMatchObject({ version: 'TLSv1.2', notCompletedReason: 'observe-only', chain: [LEAF.toString('base64')] });
  });

  it('an empty handshake record (RFC 5246 6.2.1) is a protocol error at that record, first or later', async () => {
    const sh = record(22, serverHello(TLS_RSA_WITH_AES_128_CBC_SHA));
    const first = await handshake((s) => void s.write(Buffer.concat([record(22, Buffer.alloc(0)), sh])));
    expect(first.error).toMatchObject({ kind: 'protocol', messageType: 'record', offset: 0, message: 'empty Handshake record' });
    const flood = Buffer.concat(Array.from({ length: 100_000 }, () => record(22, Buffer.alloc(0))));
    const later = await handshake((s) => void s.write(Buffer.concat([sh, flood])));
    expect(later.error).toMatchObject({ kind: 'protocol', offset: sh.length, message: 'empty Handshake record' });
    small(later);
  });

  it('empty alert and ChangeCipherSpec records are protocol errors', async () => {
    const sh = record(22, serverHello(TLS_RSA_WITH_AES_128_CBC_SHA));
    for (const [type, name] of [[21, 'Alert'], [20, 'ChangeCipherSpec']] as const) {
      const info = await handshake((s) => void s.write(Buffer.concat([sh, record(type, Buffer.alloc(0))])));
      expect(info.error).toMatchObject({ kind: 'protocol', offset: sh.length, message: `empty ${name} record` });
    }
  });

  it('a Certificate message in one-byte TCP writes reassembles (no per-chunk rejoin) and is recorded', async () => {
    const leaf = Buffer.alloc(20_000, 3);
    const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate([leaf, LEAF]), serverHelloDone()]);
    const info = await handshake((s) => writeInPieces(s, handshakeRecords(stream, 16384), 1), { observeOnly: true });
    expect(info.error).toBeUndefined();
    expect(info.chain).toEqual([leaf.toString('base64'), LEAF.toString('base64')]);
  });

  it('65,000 one-byte certificate entries: a protocol error at entry 257, no chain kept', async () => {
    const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate(Array.from({ length: 65_000 }, () => Buffer.from([0x30]))), serverHelloDone()]);
    const info = await handshake((s) => void s.write(handshakeRecords(stream, 16384)), { observeOnly: true });
    expect(info.error).toMatchObject({ kind: 'protocol', messageType: 'Certificate', message: 'Certificate: more than 256 entries' });
    expect(info.chain).toEqual([]);
    small(info);
  });

  it('256 certificate entries (a whole CA bundle sent as the chain) are recorded', async () => {
    const entries = Array.from({ length: 256 }, (_, i) => Buffer.from([0x30, i]));
    const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate(entries), serverHelloDone()]);
    const info = await handshake((s) => void s.write(handshakeRecords(stream, 16384)), { observeOnly: true });
    expect(info.error).toBeUndefined();
    expect(info.chain).toHaveLength(256);
  });

  describe('DHE parameters', () => {
    const flight = (p: Buffer, g: Buffer, ys: Buffer) => (s: Socket) =>
      void s.write(handshakeRecords(Buffer.concat([serverHello(TLS_DHE_RSA_WITH_AES_128_CBC_SHA), certificate([LEAF]), dheServerKeyExchange(p, g, ys), serverHelloDone()]), 16384));

    it('a 10,000-bit prime with a 9,000-bit generator: not computed, unsupported, the size and chain kept', async () => {
      const info = await handshake(flight(oddNumber(10_000), oddNumber(9000, 0x33), oddNumber(9000, 0x44)));
      expect(info.error).toMatchObject({ kind: 'unsupported' });
      expect(info.notCompletedReason).toBe('DH prime of 10000 bits exceeds the 8192-bit cap');
      expect(info.keyExchange).toEqual({ kind: 'DHE', bits: 10_000 });
      expect(info.chain).toEqual([LEAF.toString('base64')]);
      expect(info.completed).toBe(false);
    });

    it('observe-only computes nothing, so the same group is simply recorded', async () => {
      const info = await handshake(flight(oddNumber(10_000), oddNumber(9000, 0x33), oddNumber(9000, 0x44)), { observeOnly: true });
      expect(info.error).toBeUndefined();
      expect(info).toMatchObject({ keyExchange: { kind: 'DHE', bits: 10_000 }, notCompletedReason: 'observe-only' });
    });

    it.each([
      ['a generator longer than the prime', oddNumber(1024), oddNumber(1032), Buffer.from([5]), 'DH generator longer than the prime'],
      ['a public value longer than the prime', oddNumber(1024), Buffer.from([2]), oddNumber(1025), 'DH public value longer than the prime'],
      ['an even prime', Buffer.concat([oddNumber(1016), Buffer.from([2])]), Buffer.from([2]), Buffer.from([5]), 'DH prime is even'],
      ['a prime below 2', Buffer.from([0, 1]), Buffer.from([2]), Buffer.from([5]), 'DH prime is below 2'],
      ['a generator of 1', oddNumber(1024), Buffer.from([1]), Buffer.from([5]), 'DH generator below 2'],
    ])('%s is a protocol error at the ServerKeyExchange, its size recorded', async (_, p, g, ys, message) => {
      const info = await handshake(flight(p, g, ys), { observeOnly: true });
      expect(info.error).toMatchObject({ kind: 'protocol', messageType: 'ServerKeyExchange', message: `ServerKeyExchange: ${message}` });
      expect(info.keyExchange?.kind).toBe('DHE');
    });
  });

  describe('the byte cap', () => {
    it('without a budget, maxBytes caps the handshake as before', async () => {
      send = (s) => void s.write(Buffer.concat([record(22, serverHello(TLS_RSA_WITH_AES_128_CBC_SHA)), handshakeRecords(certificate([Buffer.alloc(200_000)]), 16384)]));
      const socket = await dialTcp(server.host, server.port, { timeoutMs: 2000 });
      socket.on('error', () => {});
      const { info } = await new RawTlsEngine().handshake(socket, { profile: resolveProfile('compat'), observeOnly: true, readTimeoutMs: 3000, maxBytes: 50_000 });
      expect(info.error).toMatchObject({ kind: 'protocol', message: 'server sent more than 50000 bytes during the handshake' });
    });

    it('with the probe budget, the bytes charged before the handshake count, and the failure names the cap', async () => {
      const budget = new ByteBudget(100_000);
      budget.charge(60_000); // the dialog's bytes
      const stream = Buffer.concat([serverHello(TLS_RSA_WITH_AES_128_CBC_SHA), certificate([Buffer.alloc(50_000)]), serverHelloDone()]);
      const info = await handshake((s) => void s.write(handshakeRecords(stream, 16384)), { observeOnly: true, budget });
      expect(info.error).toMatchObject({ kind: 'protocol', message: 'server sent more than 100000 bytes in this probe (the per-probe byte cap), passed during the handshake' });
      // The same flight fits a fresh budget of that size.
      const fits = await handshake((s) => void s.write(handshakeRecords(stream, 16384)), { observeOnly: true, budget: new ByteBudget(100_000) });
      expect(fits.error).toBeUndefined();
    });
  });
});
