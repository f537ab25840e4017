import { hash } from 'node:crypto';

const BLOCK: Record<string, number> = { sha256: 64, sha384: 128, sha1: 64, md5: 64 };

/** Longest message the shared scratch takes in place (longer ones get a buffer of their own). */
export const HMAC_SCRATCH_MESSAGE = 1024;

/**
 * One scratch for every HMAC: the key's padded block, then the message. An
 * HMAC runs start to finish synchronously, so one buffer serves them all.
 */
const scratch = Buffer.allocUnsafeSlow(128 + HMAC_SCRATCH_MESSAGE);

/** The key block as 32-bit words (the pads are XORed a word at a time: the same byte in each lane). */
const words = new Int32Array(scratch.buffer, scratch.byteOffset, 32);

/** Views of scratch[0, n), made once per length (each is the input of a one-shot hash). */
const views: Buffer[] = [];

function view(n: number): Buffer {
  return (views[n] ??= scratch.subarray(0, n));
}

/**
 * HMAC (RFC 2104) over two one-shot `crypto.hash` calls, in two steps for
 * callers that write their message in place: hmacStart() puts key ^ ipad at
 * the head of the shared scratch and returns it; the caller writes at most
 * 1024 bytes of message from offset hmacBlock(algorithm) on, and calls
 * hmacFinish() before any other HMAC starts. hmacFinish() turns the block into
 * key ^ opad in place (XOR with ipad ^ opad = 0x6a), so the key is not read twice.
 *
 * Why not createHmac: it makes a native Hmac object per call (a weak handle
 * scavenges visit and finalize) and a Buffer with its own backing store per
 * digest; a TLS 1.3 handshake takes about fifteen HMACs. Here the inner hash
 * comes out as a latin1 string written back into the scratch, and the result
 * is a Buffer from the pool: no native object and no backing store per call
 * (about half the CPU of createHmac per HMAC on Node 20; see docs/benchmarks.md).
 */
export function hmacStart(algorithm: string, key: Buffer): Buffer {
  const bs = BLOCK[algorithm]!;
  const k = key.length > bs ? hash(algorithm, key, 'buffer') : key;
  scratch.set(k, 0);
  scratch.fill(0, k.length, bs);
  for (let i = 0, n = bs >> 2; i < n; i++) words[i]! ^= 0x36363636;
  return scratch;
}

export function hmacBlock(algorithm: string): number {
  return BLOCK[algorithm]!;
}

/** The HMAC of the message hmacStart()'s caller wrote (`messageLength` bytes), cut to `outLength` bytes when given. */
export function hmacFinish(algorithm: string, messageLength: number, outLength?: number): Buffer {
  const bs = BLOCK[algorithm]!;
  if (messageLength > HMAC_SCRATCH_MESSAGE) throw new Error(`hmacFinish: a ${messageLength}-byte message does not fit the scratch`);
  const inner = hash(algorithm, view(bs + messageLength), 'binary');
  for (let i = 0, n = bs >> 2; i < n; i++) words[i]! ^= 0x6a6a6a6a;
  scratch.write(inner, bs, 'latin1');
  const mac = hash(algorithm, view(bs + inner.length), 'binary');
  // The whole digest: one pool Buffer straight from the string (a tenth cheaper than allocUnsafe + write).
  if (outLength === undefined || outLength >= mac.length) return Buffer.from(mac, 'latin1');
  const out = Buffer.allocUnsafe(outLength);
  out.write(mac, 0, outLength, 'latin1');
  return out;
}

export function hmac(algorithm: string, key: Buffer, data: Buffer): Buffer {
  if (data.length > HMAC_SCRATCH_MESSAGE) return hmacLong(algorithm, key, data);
  const s = hmacStart(algorithm, key);
  s.set(data, BLOCK[algorithm]!);
  return hmacFinish(algorithm, data.length);
}

/** A message longer than the scratch: buffers of its own. */
function hmacLong(algorithm: string, key: Buffer, data: Buffer): Buffer {
  const bs = BLOCK[algorithm]!;
  const k = key.length > bs ? hash(algorithm, key, 'buffer') : key;
  const block = Buffer.alloc(bs);
  k.copy(block);
  const inner = Buffer.allocUnsafe(bs + data.length);
  for (let i = 0; i < bs; i++) inner[i] = block[i]! ^ 0x36;
  data.copy(inner, bs);
  const innerHash = hash(algorithm, inner, 'buffer');
  const outer = Buffer.allocUnsafe(bs + innerHash.length);
  for (let i = 0; i < bs; i++) outer[i] = block[i]! ^ 0x5c;
  innerHash.copy(outer, bs);
  return hash(algorithm, outer, 'buffer');
}
