import { hash } from 'node:crypto';

const BLOCK: Record<string, number> = { sha256: 64, sha384: 128, sha1: 64, md5: 64 };

/** Longest message the shared scratch takes in place (longer ones get a buffer of their own). */
export const HMAC_SCRATCH_MESSAGE = 1024;

/**
 * One scratch for every HMAC: the key's padded block, then the message. An
 * HMAC runs start to finish synchronously, so one buffer serves them all.
 */
const scratch = Buffer.allocUnsafeSlow(128 + HMAC_SCRATCH_MESSAGE);

/** Views of scratch[0, n), made once per length (each is the input of a one-shot hash). */
const views: Buffer[] = [];

function view(n: number): Buffer {
  return (views[n] ??= scratch.subarray(0, n));
}

/** The key of the HMAC hmacStart() began (hashed when longer than the block). */
let startedKey: Buffer = scratch;

function padKey(k: Buffer, bs: number, x: number): void {
  for (let i = 0; i < k.length; i++) scratch[i] = k[i]! ^ x;
  scratch.fill(x, k.length, bs);
}

/**
 * HMAC (RFC 2104) over two one-shot `crypto.hash` calls, in two steps for
 * callers that write their message in place: hmacStart() puts key ^ ipad at
 * the head of the shared scratch and returns it; the caller writes at most
 * 1024 bytes of message from offset hmacBlock(algorithm) on, and calls
 * hmacFinish() before any other HMAC starts.
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
  startedKey = k;
  padKey(k, bs, 0x36);
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
  padKey(startedKey, bs, 0x5c);
  scratch.write(inner, bs, 'binary');
  const mac = hash(algorithm, view(bs + inner.length), 'binary');
  startedKey = scratch;
  const n = outLength !== undefined && outLength < mac.length ? outLength : mac.length;
  const out = Buffer.allocUnsafe(n);
  out.write(mac, 0, n, 'binary');
  return out;
}

export function hmac(algorithm: string, key: Buffer, data: Buffer): Buffer {
  if (data.length > HMAC_SCRATCH_MESSAGE) return hmacLong(algorithm, key, data);
  const s = hmacStart(algorithm, key);
  data.copy(s, BLOCK[algorithm]!);
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
