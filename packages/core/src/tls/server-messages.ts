import { TlsFailure } from './tls-failure.js';
import { ByteReader } from './bytes.js';
import { HRR_RANDOM } from './names.js';
import type { SessionTicket } from '../record/tls-schema.js';

/** Parsers for the server's handshake messages: bodies only (type and length already stripped). */

export interface Extension {
  id: number;
  data: Buffer;
}

/** One bit per extension id, set while a list is parsed and cleared after it (parsing is synchronous). */
const seenIds = new Uint32Array(65536 / 32);

export function parseExtensions(r: ByteReader): Extension[] {
  const out: Extension[] = [];
  if (r.left === 0) return out;
  const block = new ByteReader(r.vec16(), `${r.what} extensions`);
  try {
    while (block.left > 0) {
      const id = block.u16();
      const word = id >>> 5;
      const bit = 1 << (id & 31);
      if (seenIds[word]! & bit) throw new TlsFailure('protocol', `${r.what}: extension ${id} appears twice`, r.what, block.pos);
      const data = block.vec16();
      // Set with the push: the bits set are exactly those of `out`'s ids, all cleared in `finally`.
      seenIds[word] = seenIds[word]! | bit;
      out.push({ id, data });
    }
  } finally {
    for (const e of out) seenIds[e.id >>> 5] = 0;
  }
  return out;
}

export interface ServerHello {
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compression: number;
  extensions: Extension[];
  isHelloRetry: boolean;
}

export function parseServerHello(body: Buffer): ServerHello {
  const r = new ByteReader(body, 'ServerHello');
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8();
  if (sessionId.length > 32) throw new TlsFailure('protocol', 'ServerHello: session id longer than 32 bytes', 'ServerHello', 35);
  const cipherSuite = r.u16();
  const compression = r.u8();
  const extensions = parseExtensions(r);
  r.end();
  return { legacyVersion, random, sessionId, cipherSuite, compression, extensions, isHelloRetry: isHelloRetryRandom(random) };
}

/** The HelloRetryRequest's fixed random (RFC 8446 4.1.3), compared in place: a ServerHello's first byte nearly always differs. */
function isHelloRetryRandom(random: Buffer): boolean {
  for (let i = 0; i < 32; i++) if (random[i] !== HRR_RANDOM[i]) return false;
  return true;
}

export function findExtension(exts: Extension[], id: number): Buffer | undefined {
  for (let i = 0; i < exts.length; i++) if (exts[i]!.id === id) return exts[i]!.data;
  return undefined;
}

/**
 * Certificate: TLS 1.2 form (a list of DER) or 1.3 form (context, entries with extensions; OCSP in the
 * leaf's status_request). At most `maxEntries` entries: 256 KiB holds 65,000 one-byte ones.
 */
export function parseCertificate(body: Buffer, tls13: boolean, maxEntries = Infinity): { chain: Buffer[]; ocsp?: Buffer } {
  const r = new ByteReader(body, 'Certificate');
  if (tls13) r.vec8();
  const list = new ByteReader(r.vec24(), 'Certificate');
  r.end();
  const chain: Buffer[] = [];
  let ocsp: Buffer | undefined;
  while (list.left > 0) {
    if (chain.length >= maxEntries) throw new TlsFailure('protocol', `Certificate: more than ${maxEntries} entries`, 'Certificate', list.pos);
    const der = list.vec24();
    if (der.length === 0) throw new TlsFailure('protocol', 'Certificate: empty certificate entry', 'Certificate', list.pos);
    chain.push(der);
    if (tls13) {
      const exts = parseExtensions(list);
      const status = chain.length === 1 ? findExtension(exts, 5) : undefined;
      if (status) ocsp = parseCertificateStatus(status);
    }
  }
  return { chain, ...(ocsp ? { ocsp } : {}) };
}

export function parseCertificateStatus(body: Buffer): Buffer {
  const r = new ByteReader(body, 'CertificateStatus');
  const type = r.u8();
  if (type !== 1) throw new TlsFailure('protocol', `CertificateStatus: unknown status type ${type}`, 'CertificateStatus', 0);
  const resp = r.vec24();
  r.end();
  return resp;
}

export type ServerKeyExchange =
  | { kind: 'DHE'; p: Buffer; g: Buffer; ys: Buffer }
  | { kind: 'ECDHE'; curveType: number; group: number; point: Buffer };

/** The key-exchange parameters; the signature that follows is kept unchecked (validation is an analysis). */
export function parseServerKeyExchange(body: Buffer, kex: 'DHE' | 'ECDHE'): ServerKeyExchange {
  const r = new ByteReader(body, 'ServerKeyExchange');
  if (kex === 'DHE') {
    const p = r.vec16();
    const g = r.vec16();
    const ys = r.vec16();
    if (p.length === 0 || g.length === 0 || ys.length === 0) throw new TlsFailure('protocol', 'ServerKeyExchange: empty DH parameter', 'ServerKeyExchange', r.pos);
    return { kind: 'DHE', p, g, ys };
  }
  const curveType = r.u8();
  if (curveType !== 3) return { kind: 'ECDHE', curveType, group: 0, point: Buffer.alloc(0) };
  const group = r.u16();
  const point = r.vec8();
  if (point.length === 0) throw new TlsFailure('protocol', 'ServerKeyExchange: empty EC point', 'ServerKeyExchange', r.pos);
  return { kind: 'ECDHE', curveType, group, point };
}

/**
 * What a DH group must be before any arithmetic on it (RFC 5246 7.4.3: dh_g and dh_Ys are below dh_p):
 * an odd prime of at least 2 bits, a generator of at least 2, generator and public value no longer
 * than the prime. Cheap: no primality test (that is the server's claim, and testing it would cost the
 * client seconds).
 */
export function checkDhParameters(ske: { p: Buffer; g: Buffer; ys: Buffer }): void {
  const bits = bitLength(ske.p);
  if (bits < 2 || (ske.p[ske.p.length - 1]! & 1) === 0) throw new TlsFailure('protocol', `ServerKeyExchange: DH prime is ${bits < 2 ? 'below 2' : 'even'}`, 'ServerKeyExchange');
  const gBits = bitLength(ske.g);
  if (gBits < 2) throw new TlsFailure('protocol', 'ServerKeyExchange: DH generator below 2', 'ServerKeyExchange');
  if (gBits > bits) throw new TlsFailure('protocol', 'ServerKeyExchange: DH generator longer than the prime', 'ServerKeyExchange');
  if (bitLength(ske.ys) > bits) throw new TlsFailure('protocol', 'ServerKeyExchange: DH public value longer than the prime', 'ServerKeyExchange');
}

/** Bits of a big-endian unsigned integer (DH prime size). */
export function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/**
 * NewSessionTicket: TLS 1.2 (RFC 5077: lifetime hint, ticket) or TLS 1.3 (RFC 8446 4.6.1: lifetime,
 * age_add, nonce, ticket, extensions). The ticket itself is not kept: its length, and its first 16
 * bytes, which in RFC 5077's recommended format (OpenSSL's) name the ticket-encryption key.
 */
export function parseNewSessionTicket(body: Buffer, tls13: boolean): SessionTicket {
  const r = new ByteReader(body, 'NewSessionTicket');
  const lifetime = r.u32();
  let maxEarlyData: number | undefined;
  if (tls13) {
    r.u32(); // ticket_age_add
    r.vec8(); // ticket_nonce
  }
  const ticket = r.vec16();
  if (tls13) {
    if (ticket.length === 0) throw new TlsFailure('protocol', 'NewSessionTicket: empty ticket', 'NewSessionTicket');
    const early = findExtension(parseExtensions(r), 42);
    if (early) {
      const e = new ByteReader(early, 'NewSessionTicket early_data');
      maxEarlyData = e.u32();
      e.end();
    }
  }
  r.end();
  return {
    lifetime,
    length: ticket.length,
    ...(ticket.length >= 16 ? { keyName: ticket.subarray(0, 16).toString('hex') } : {}),
    ...(maxEarlyData !== undefined ? { maxEarlyData } : {}),
  };
}
