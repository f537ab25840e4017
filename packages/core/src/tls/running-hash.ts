import { createHash, type Hash } from 'node:crypto';

/**
 * The handshake transcript hash, kept running: each call hashes only the
 * messages added since the last one, then digests a copy. TLS 1.0/1.1 hash
 * with MD5 and SHA-1 side by side; TLS 1.2 and 1.3 with the suite's hash.
 */
export class RunningHash {
  private readonly hashes: Hash[];
  private done = 0;

  constructor(algorithms: string[]) {
    this.hashes = algorithms.map((a) => createHash(a));
  }

  static forVersion(version: number, prf: 'sha256' | 'sha384'): RunningHash {
    return new RunningHash(version >= 0x0303 ? [prf] : ['md5', 'sha1']);
  }

  /** Hash of all of `transcript` (which only ever grows). */
  of(transcript: Buffer[]): Buffer {
    for (; this.done < transcript.length; this.done++) for (const h of this.hashes) h.update(transcript[this.done]!);
    return this.hashes.length === 1 ? this.hashes[0]!.copy().digest() : Buffer.concat(this.hashes.map((h) => h.copy().digest()));
  }
}
