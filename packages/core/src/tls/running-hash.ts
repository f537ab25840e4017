import { createHash, type Hash } from 'node:crypto';
import { objectList } from './object-list.js';

/**
 * The handshake transcript hash, kept running: each call hashes only the
 * messages added since the last one, then digests a copy (or, for the last
 * point the transcript is needed, the hash itself: no copy). TLS 1.0/1.1 hash
 * with MD5 and SHA-1 side by side; TLS 1.2 and 1.3 with the suite's hash.
 * Digests come out as latin1 strings copied into a pool Buffer: a digest
 * Buffer of its own would carry a backing store the GC has to track and free.
 */
export class RunningHash {
  // Fields declared and set in the constructor in this order: no <instance_members_initializer> per object.
  private declare readonly hashes: Hash[];
  private declare done: number;

  constructor(algorithms: string[]) {
    // A loop, not map(): map()'s result changes its elements kind once a caller is optimized,
    // which deoptimized add(), of() and last() (a 'wrong map' each) in a scan.
    // objectList(), not `[]`: the hash lives as long as the handshake (see object-list.ts).
    const hashes = objectList<Hash>();
    for (const a of algorithms) hashes.push(createHash(a));
    this.hashes = hashes;
    this.done = 0;
  }

  static forVersion(version: number, prf: 'sha256' | 'sha384'): RunningHash {
    return new RunningHash(version >= 0x0303 ? [prf] : ['md5', 'sha1']);
  }

  /** Hash of all of `transcript` (which only ever grows). */
  of(transcript: Buffer[]): Buffer {
    this.add(transcript);
    if (this.hashes.length === 1) return latin1Buffer(this.hashes[0]!.copy().digest('binary'));
    return latin1Buffer(this.hashes.map((h) => h.copy().digest('binary')).join(''));
  }

  /** Hash of all of `transcript`, for the last time: the hash is spent (of() and last() then throw). */
  last(transcript: Buffer[]): Buffer {
    this.add(transcript);
    if (this.hashes.length === 1) return latin1Buffer(this.hashes[0]!.digest('binary'));
    return latin1Buffer(this.hashes.map((h) => h.digest('binary')).join(''));
  }

  private add(transcript: Buffer[]): void {
    for (; this.done < transcript.length; this.done++) for (const h of this.hashes) h.update(transcript[this.done]!);
  }
}

function latin1Buffer(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
