import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { randomFromPool } from './random-pool.js';
import { TlsFailure } from './tls-failure.js';

/** Protects records in one direction. `seal` returns a whole record, header included. */
export interface RecordProtection {
  seal(type: number, plaintext: Buffer): Buffer;
  /** `header` is the 5-byte record header as received, valid during the call only (callers reuse one). Returns the inner content type and plaintext. */
  open(header: Buffer, fragment: Buffer): { type: number; data: Buffer };
}

export const KEY_LEN: Record<string, number> = {
  'aes-128-gcm': 16, 'aes-256-gcm': 32, 'chacha20-poly1305': 32,
  'aes-128-cbc': 16, 'aes-256-cbc': 32, 'des-ede3-cbc': 24,
  'camellia-128-cbc': 16, 'camellia-256-cbc': 32, 'seed-cbc': 16, 'idea-cbc': 16, 'des-cbc': 8,
  rc4: 16,
};

/** Block size of each CBC cipher (the IV is one block). */
export const BLOCK_LEN: Record<string, number> = {
  'aes-128-cbc': 16, 'aes-256-cbc': 16, 'camellia-128-cbc': 16, 'camellia-256-cbc': 16, 'seed-cbc': 16,
  'des-ede3-cbc': 8, 'idea-cbc': 8, 'des-cbc': 8,
};

/** HMAC output length of each record MAC hash. */
export const MAC_LEN: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

export function header(type: number, version: number, len: number): Buffer {
  return writeHeader(Buffer.allocUnsafe(5), 0, type, version, len);
}

/** A record header written at `at` in `out` (returned). */
function writeHeader(out: Buffer, at: number, type: number, version: number, len: number): Buffer {
  out[at] = type;
  out[at + 1] = version >> 8;
  out[at + 2] = version & 255;
  out[at + 3] = len >> 8;
  out[at + 4] = len & 255;
  return out;
}

export function seqBytes(seq: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(seq);
  return b;
}

/**
 * iv XOR the 64-bit sequence number, left-padded (RFC 8446 section 5.3; RFC 7905 for TLS 1.2
 * ChaCha20-Poly1305), written into `out` (a 12-byte buffer reused per record: the cipher copies it
 * when it is made). A number: 2^53 records are out of any probe's reach.
 */
function writeNonce(out: Buffer, iv: Buffer, seq: number): Buffer {
  const hi = Math.floor(seq / 0x100000000);
  for (let i = 0, lo = seq >>> 0; i < 4; i++, lo >>>= 8) out[11 - i] = iv[11 - i]! ^ (lo & 255);
  for (let i = 0, h = hi; i < 4; i++, h >>>= 8) out[7 - i] = iv[7 - i]! ^ (h & 255);
  for (let i = 0; i < 4; i++) out[i] = iv[i]!;
  return out;
}

/** The AEAD ciphers' options: one object for every cipher made (each record has its own). */
const TAG_16 = { authTagLength: 16 };

/**
 * One whole record: `out` holds the header (and any explicit nonce) in its first `at` bytes and is
 * sized for `pt` and the 16-byte tag after them; the ciphertext and tag are copied in (the native
 * outputs are Buffers of their own, which no caller keeps).
 */
function aeadSeal(cipher: string, key: Buffer, nonce: Buffer, aad: Buffer, pt: Buffer, out: Buffer, at: number): Buffer {
  const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce, TAG_16);
  c.setAAD(aad);
  const ct = c.update(pt);
  out.set(ct, at);
  at += ct.length;
  const rest = c.final(); // AEAD modes buffer nothing: empty
  if (rest.length) {
    out.set(rest, at);
    at += rest.length;
  }
  out.set(c.getAuthTag(), at);
  return out;
}

function aeadOpen(cipher: string, key: Buffer, nonce: Buffer, aad: Buffer, ct: Buffer): Buffer {
  if (ct.length < 16) throw new TlsFailure('protocol', 'encrypted record shorter than its tag', 'record');
  try {
    const d = createDecipheriv(cipher as 'aes-128-gcm', key, nonce, TAG_16);
    d.setAAD(aad);
    d.setAuthTag(ct.subarray(ct.length - 16));
    const pt = d.update(ct.subarray(0, ct.length - 16));
    const rest = d.final(); // checks the tag; AEAD modes return no bytes here
    return rest.length ? Buffer.concat([pt, rest]) : pt;
  } catch {
    throw new TlsFailure('protocol', 'record authentication failed (bad_record_mac)', 'record');
  }
}

/** TLS 1.3 AEAD protection with the inner content type (RFC 8446 section 5.2). */
/** Protection built on first use (TLS 1.3 application keys, see tls13-flow.ts). */
export class DeferredProtection implements RecordProtection {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per object.
  private declare readonly make: () => RecordProtection;
  private declare inner: RecordProtection | undefined;
  constructor(make: () => RecordProtection) {
    this.make = make;
    this.inner = undefined;
  }

  seal(type: number, plaintext: Buffer): Buffer {
    return (this.inner ??= this.make()).seal(type, plaintext);
  }

  open(header: Buffer, fragment: Buffer): { type: number; data: Buffer } {
    return (this.inner ??= this.make()).open(header, fragment);
  }
}

/**
 * The TLS 1.3 per-record nonce, rewritten for each record by every Tls13Protection: the cipher
 * copies it when it is made, within the same synchronous call, so one buffer serves all streams.
 */
const NONCE_13 = Buffer.alloc(12);

export class Tls13Protection implements RecordProtection {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per object.
  private declare readonly cipher: string;
  private declare readonly key: Buffer;
  private declare readonly iv: Buffer;
  /** Records protected so far. */
  private declare seq: number;
  constructor(cipher: string, key: Buffer, iv: Buffer) {
    this.cipher = cipher;
    this.key = key;
    this.iv = iv;
    this.seq = 0;
  }

  private nextNonce(): Buffer {
    return writeNonce(NONCE_13, this.iv, this.seq++);
  }

  seal(type: number, plaintext: Buffer): Buffer {
    const inner = Buffer.allocUnsafe(plaintext.length + 1);
    inner.set(plaintext, 0);
    inner[plaintext.length] = type;
    const out = writeHeader(Buffer.allocUnsafe(5 + inner.length + 16), 0, 23, 0x0303, inner.length + 16);
    return aeadSeal(this.cipher, this.key, this.nextNonce(), out.subarray(0, 5), inner, out, 5);
  }

  open(h: Buffer, fragment: Buffer): { type: number; data: Buffer } {
    if (h[0] !== 23) throw new TlsFailure('protocol', `unprotected record of type ${h[0]} after keys changed`, 'record');
    const inner = aeadOpen(this.cipher, this.key, this.nextNonce(), h, fragment);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new TlsFailure('protocol', 'protected record without content type', 'record');
    return { type: inner[end]!, data: inner.subarray(0, end) };
  }
}

/**
 * TLS 1.2 AEAD additional data and nonce, rewritten per record by every Tls12AeadProtection: the
 * cipher copies the nonce when it is made and setAAD() consumes the additional data at once, both
 * within the same synchronous call.
 */
const AAD_12 = Buffer.alloc(13);
const NONCE_12 = Buffer.alloc(12);

/** TLS 1.2 AEAD: AES-GCM with an 8-byte explicit nonce, ChaCha20-Poly1305 with an implicit one. */
export class Tls12AeadProtection implements RecordProtection {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per object.
  private declare readonly cipher: string;
  private declare readonly key: Buffer;
  // GCM: the nonce is the 4-byte implicit IV, then the record's explicit 8 bytes; ChaCha20: the 12-byte IV, XORed per record.
  private declare readonly iv: Buffer;
  private declare readonly version: number;
  private declare seq: bigint;
  private declare readonly explicit: boolean;
  constructor(cipher: string, key: Buffer, iv: Buffer, version: number) {
    this.cipher = cipher;
    this.key = key;
    this.iv = iv;
    this.version = version;
    this.seq = 0n;
    this.explicit = cipher !== 'chacha20-poly1305';
  }

  private aad(seq: bigint, type: number, len: number): Buffer {
    // The sequence number, then the record's header as it would be in clear.
    AAD_12.writeBigUInt64BE(seq, 0);
    return writeHeader(AAD_12, 8, type, this.version, len);
  }

  /** The GCM nonce: the implicit IV, then the 8 bytes of `from` at `at`. */
  private gcmNonce(from: Buffer, at: number): Buffer {
    const iv = this.iv;
    NONCE_12.set(iv, 0);
    for (let i = 0; i < 8; i++) NONCE_12[iv.length + i] = from[at + i]!;
    return NONCE_12;
  }

  seal(type: number, plaintext: Buffer): Buffer {
    const seq = this.seq++;
    const aad = this.aad(seq, type, plaintext.length);
    if (this.explicit) {
      // The explicit nonce is the sequence number: written after the header and into the GCM nonce.
      const out = writeHeader(Buffer.allocUnsafe(5 + 8 + plaintext.length + 16), 0, type, this.version, plaintext.length + 24);
      out.writeBigUInt64BE(seq, 5);
      return aeadSeal(this.cipher, this.key, this.gcmNonce(out, 5), aad, plaintext, out, 13);
    }
    const out = writeHeader(Buffer.allocUnsafe(5 + plaintext.length + 16), 0, type, this.version, plaintext.length + 16);
    return aeadSeal(this.cipher, this.key, writeNonce(NONCE_12, this.iv, Number(seq)), aad, plaintext, out, 5);
  }

  open(h: Buffer, fragment: Buffer): { type: number; data: Buffer } {
    const seq = this.seq++;
    const type = h[0]!;
    if (this.explicit) {
      if (fragment.length < 24) throw new TlsFailure('protocol', 'AEAD record too short', 'record');
      const nonce = this.gcmNonce(fragment, 0);
      const ct = fragment.subarray(8);
      return { type, data: aeadOpen(this.cipher, this.key, nonce, this.aad(seq, type, ct.length - 16), ct) };
    }
    if (fragment.length < 16) throw new TlsFailure('protocol', 'AEAD record too short', 'record');
    return { type, data: aeadOpen(this.cipher, this.key, writeNonce(NONCE_12, this.iv, Number(seq)), this.aad(seq, type, fragment.length - 16), fragment) };
  }
}

/** MAC-then-encrypt CBC (TLS 1.0 chains the IV across records; 1.1+ sends an explicit IV). */
export class CbcProtection implements RecordProtection {
  // Fields declared and set in the constructor in the order the class body defined them: no <instance_members_initializer> per object.
  private declare readonly cipher: string;
  private declare readonly key: Buffer;
  private declare readonly macKey: Buffer;
  private declare readonly macHash: string;
  private declare iv: Buffer;
  private declare readonly version: number;
  private declare seq: bigint;
  private declare readonly block: number;
  private declare readonly macLen: number;
  constructor(cipher: string, key: Buffer, macKey: Buffer, macHash: string, iv: Buffer, version: number) {
    this.cipher = cipher;
    this.key = key;
    this.macKey = macKey;
    this.macHash = macHash;
    this.iv = iv;
    this.version = version;
    this.seq = 0n;
    this.block = BLOCK_LEN[cipher]!;
    this.macLen = MAC_LEN[macHash]!;
  }

  private mac(seq: bigint, type: number, data: Buffer): Buffer {
    return createHmac(this.macHash, this.macKey).update(seqBytes(seq)).update(header(type, this.version, data.length)).update(data).digest();
  }

  seal(type: number, plaintext: Buffer): Buffer {
    const seq = this.seq++;
    const mac = this.mac(seq, type, plaintext);
    const padLen = this.block - ((plaintext.length + mac.length + 1) % this.block);
    const pad = Buffer.alloc(padLen + 1, padLen);
    const explicit = this.version >= 0x0302;
    const iv = explicit ? randomFromPool(this.block) : this.iv;
    const c = createCipheriv(this.cipher, this.key, iv).setAutoPadding(false);
    const ct = Buffer.concat([c.update(Buffer.concat([plaintext, mac, pad])), c.final()]);
    if (!explicit) this.iv = ct.subarray(ct.length - this.block);
    const body = explicit ? Buffer.concat([iv, ct]) : ct;
    return Buffer.concat([header(type, this.version, body.length), body]);
  }

  open(h: Buffer, fragment: Buffer): { type: number; data: Buffer } {
    const seq = this.seq++;
    const type = h[0]!;
    const explicit = this.version >= 0x0302;
    const ivLen = explicit ? this.block : 0;
    if (fragment.length % this.block !== 0 || fragment.length < ivLen + Math.max(this.block, this.macLen + 1)) {
      throw new TlsFailure('protocol', 'CBC record of impossible length', 'record');
    }
    const iv = explicit ? fragment.subarray(0, this.block) : this.iv;
    const ct = fragment.subarray(ivLen);
    if (!explicit) this.iv = Buffer.from(ct.subarray(ct.length - this.block));
    const d = createDecipheriv(this.cipher, this.key, iv).setAutoPadding(false);
    const pt = Buffer.concat([d.update(ct), d.final()]);
    const padLen = pt[pt.length - 1]!;
    const dataLen = pt.length - padLen - 1 - this.macLen;
    let ok = dataLen >= 0;
    for (let i = pt.length - 1 - padLen; ok && i < pt.length; i++) if (pt[i] !== padLen) ok = false;
    if (!ok) throw new TlsFailure('protocol', 'bad CBC padding (bad_record_mac)', 'record');
    const data = pt.subarray(0, dataLen);
    const mac = pt.subarray(dataLen, dataLen + this.macLen);
    if (!timingSafeEqual(mac, this.mac(seq, type, data))) throw new TlsFailure('protocol', 'record MAC mismatch (bad_record_mac)', 'record');
    return { type, data };
  }
}
