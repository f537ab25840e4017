import { createHash, createHmac } from 'node:crypto';

/** TLS 1.3 HKDF key schedule (RFC 8446 section 7), over createHmac. */
export type Hash13 = 'sha256' | 'sha384';

export function hashLen(h: Hash13): number {
  return h === 'sha256' ? 32 : 48;
}

export function hkdfExtract(h: Hash13, salt: Buffer, ikm: Buffer): Buffer {
  return createHmac(h, salt.length ? salt : Buffer.alloc(hashLen(h))).update(ikm).digest();
}

export function hkdfExpandLabel(h: Hash13, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 255, full.length]), full, Buffer.from([context.length]), context]);
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
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

export function emptyHash(h: Hash13): Buffer {
  return createHash(h).digest();
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
    derived = deriveSecret(h, hkdfExtract(h, Buffer.alloc(0), Buffer.alloc(hashLen(h))), 'derived', emptyHash(h));
    earlyDerived.set(h, derived);
  }
  const hs = hkdfExtract(h, derived, shared);
  return { handshakeSecret: hs, clientHs: deriveSecret(h, hs, 'c hs traffic', helloHash), serverHs: deriveSecret(h, hs, 's hs traffic', helloHash) };
}

export function applicationSecrets(h: Hash13, handshakeSecret: Buffer, finishedHash: Buffer): { client: Buffer; server: Buffer } {
  const derived = deriveSecret(h, handshakeSecret, 'derived', emptyHash(h));
  const master = hkdfExtract(h, derived, Buffer.alloc(hashLen(h)));
  return { client: deriveSecret(h, master, 'c ap traffic', finishedHash), server: deriveSecret(h, master, 's ap traffic', finishedHash) };
}

export function trafficKeys(h: Hash13, secret: Buffer, keyLen: number): { key: Buffer; iv: Buffer } {
  return { key: hkdfExpandLabel(h, secret, 'key', Buffer.alloc(0), keyLen), iv: hkdfExpandLabel(h, secret, 'iv', Buffer.alloc(0), 12) };
}

export function finishedVerifyData(h: Hash13, baseSecret: Buffer, transcriptHash: Buffer): Buffer {
  const key = hkdfExpandLabel(h, baseSecret, 'finished', Buffer.alloc(0), hashLen(h));
  return createHmac(h, key).update(transcriptHash).digest();
}
