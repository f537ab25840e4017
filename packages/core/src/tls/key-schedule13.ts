import { createHash, createHmac } from 'node:crypto';
import { hmac, hmacBlock, hmacFinish, hmacStart } from './hmac.js';

/** TLS 1.3 HKDF key schedule (RFC 8446 section 7), over one-shot HMACs (hmac.ts). */
export type Hash13 = 'sha256' | 'sha384';

export function hashLen(h: Hash13): number {
  return h === 'sha256' ? 32 : 48;
}

const ZEROS: Record<Hash13, Buffer> = { sha256: Buffer.alloc(32), sha384: Buffer.alloc(48) };
const EMPTY = Buffer.alloc(0);

export function hkdfExtract(h: Hash13, salt: Buffer, ikm: Buffer): Buffer {
  return hmac(h, salt.length ? salt : ZEROS[h], ikm);
}

// HkdfLabel without its context: length, "tls13 " label. A handful of labels, so built once each
// (looked up by length, then label: no key string made per call).
const labelPrefixes = new Map<number, Map<string, Buffer>>();

function labelPrefix(label: string, length: number): Buffer {
  let byLabel = labelPrefixes.get(length);
  if (!byLabel) labelPrefixes.set(length, (byLabel = new Map<string, Buffer>()));
  let p = byLabel.get(label);
  if (!p) {
    const full = Buffer.from(`tls13 ${label}`, 'ascii');
    byLabel.set(label, (p = Buffer.concat([Buffer.from([length >> 8, length & 255, full.length]), full])));
  }
  return p;
}

export function hkdfExpandLabel(h: Hash13, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const prefix = labelPrefix(label, length);
  if (length <= hashLen(h)) {
    // HkdfLabel || 0x01 written straight after the padded key: every TLS 1.3 secret, key and IV
    // is the first HMAC block of the expansion.
    const s = hmacStart(h, secret);
    let at = hmacBlock(h);
    const start = at;
    s.set(prefix, at);
    at += prefix.length;
    s[at++] = context.length;
    s.set(context, at);
    at += context.length;
    s[at++] = 1;
    return hmacFinish(h, at - start, length);
  }
  const info = Buffer.concat([prefix, Buffer.from([context.length]), context]);
  const out: Buffer[] = [];
  let prev = EMPTY;
  let total = 0;
  for (let i = 1; total < length; i++) {
    prev = createHmac(h, secret).update(prev).update(info).update(Buffer.from([i])).digest();
    out.push(prev);
    total += prev.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

export function deriveSecret(h: Hash13, secret: Buffer, label: string, transcriptHash: Buffer): Buffer {
  return hkdfExpandLabel(h, secret, label, transcriptHash, hashLen(h));
}

const emptyHashes = new Map<Hash13, Buffer>();

/** Hash of the empty string (constant per hash, computed once). */
export function emptyHash(h: Hash13): Buffer {
  let e = emptyHashes.get(h);
  if (!e) emptyHashes.set(h, (e = createHash(h).digest()));
  return e;
}

export interface HandshakeSecrets {
  handshakeSecret: Buffer;
  clientHs: Buffer;
  serverHs: Buffer;
}

// Without a PSK, Derive-Secret(early_secret, "derived", "") is a constant per hash: computed once.
const earlyDerived = new Map<Hash13, Buffer>();

export function handshakeSecrets(h: Hash13, shared: Buffer, helloHash: Buffer): HandshakeSecrets {
  let derived = earlyDerived.get(h);
  if (!derived) {
    derived = deriveSecret(h, hkdfExtract(h, EMPTY, ZEROS[h]), 'derived', emptyHash(h));
    earlyDerived.set(h, derived);
  }
  const hs = hkdfExtract(h, derived, shared);
  return { handshakeSecret: hs, clientHs: deriveSecret(h, hs, 'c hs traffic', helloHash), serverHs: deriveSecret(h, hs, 's hs traffic', helloHash) };
}

/** The master secret, from which each side's application traffic secret is derived (applicationSecret). */
export function masterSecret(h: Hash13, handshakeSecret: Buffer): Buffer {
  return hkdfExtract(h, deriveSecret(h, handshakeSecret, 'derived', emptyHash(h)), ZEROS[h]);
}

/** One side's application traffic secret: a probe that only writes (its close_notify) needs the client's alone. */
export function applicationSecret(h: Hash13, master: Buffer, side: 'client' | 'server', finishedHash: Buffer): Buffer {
  return deriveSecret(h, master, side === 'client' ? 'c ap traffic' : 's ap traffic', finishedHash);
}

export function applicationSecrets(h: Hash13, handshakeSecret: Buffer, finishedHash: Buffer): { client: Buffer; server: Buffer } {
  const master = masterSecret(h, handshakeSecret);
  return { client: applicationSecret(h, master, 'client', finishedHash), server: applicationSecret(h, master, 'server', finishedHash) };
}

export function trafficKeys(h: Hash13, secret: Buffer, keyLen: number): { key: Buffer; iv: Buffer } {
  return { key: hkdfExpandLabel(h, secret, 'key', EMPTY, keyLen), iv: hkdfExpandLabel(h, secret, 'iv', EMPTY, 12) };
}

export function finishedVerifyData(h: Hash13, baseSecret: Buffer, transcriptHash: Buffer): Buffer {
  const key = hkdfExpandLabel(h, baseSecret, 'finished', EMPTY, hashLen(h));
  return hmac(h, key, transcriptHash);
}
