import { hash } from 'node:crypto';

const BLOCK: Record<string, number> = { sha256: 64, sha384: 128, sha1: 64, md5: 64 };

/**
 * HMAC (RFC 2104) over two one-shot `crypto.hash` calls. Same CPU as
 * createHmac in a tight loop, but it creates no native Hmac object per call:
 * a TLS 1.3 handshake takes about fifteen HMACs, and in a scan those objects
 * cost more in allocation and GC than the hashing itself.
 */
export function hmac(algorithm: string, key: Buffer, data: Buffer): Buffer {
  const bs = BLOCK[algorithm]!;
  const k = key.length > bs ? hash(algorithm, key, 'buffer') : key;
  const inner = Buffer.allocUnsafe(bs + data.length);
  for (let i = 0; i < bs; i++) inner[i] = (i < k.length ? k[i]! : 0) ^ 0x36;
  data.copy(inner, bs);
  const innerHash = hash(algorithm, inner, 'buffer');
  const outer = Buffer.allocUnsafe(bs + innerHash.length);
  for (let i = 0; i < bs; i++) outer[i] = (i < k.length ? k[i]! : 0) ^ 0x5c;
  innerHash.copy(outer, bs);
  return hash(algorithm, outer, 'buffer');
}
