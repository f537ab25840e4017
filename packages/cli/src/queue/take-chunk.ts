import type { Redis } from 'ioredis';
import { WORKER_GROUP, type ChunkRange } from './job-keys.js';

export interface Leased {
  /** The stream entry id: the lease is this entry pending for this consumer. */
  id: string;
  range: ChunkRange;
  /** Taken back from a worker whose lease ran out. */
  reclaimed: boolean;
}

type Entry = [id: string, fields: string[]];

function parseEntry(entry: Entry, reclaimed: boolean): Leased {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < entry[1].length; i += 2) f[entry[1][i]!] = entry[1][i + 1]!;
  return { id: entry[0], range: { chunk: Number(f.chunk), from: Number(f.from), to: Number(f.to) }, reclaimed };
}

/**
 * The next chunk for this worker: first one whose lease ran out (pending for
 * another consumer, idle longer than the lease: that worker died or hung),
 * then a new one. Taking it makes it pending for this consumer: the lease.
 */
export async function takeChunk(redis: Redis, blocking: Redis, key: string, consumer: string, leaseMs: number, blockMs: number): Promise<Leased | undefined> {
  const claimed = (await redis.xautoclaim(key, WORKER_GROUP, consumer, leaseMs, '0-0', 'COUNT', 1)) as [string, Entry[], string[]];
  const stale = claimed[1].find((e) => e && e[1]);
  if (stale) return parseEntry(stale, true);
  const read = (await blocking.xreadgroup('GROUP', WORKER_GROUP, consumer, 'COUNT', 1, 'BLOCK', blockMs, 'STREAMS', key, '>')) as Array<[string, Entry[]]> | null;
  const entry = read?.[0]?.[1][0];
  return entry ? parseEntry(entry, false) : undefined;
}

/** Extend the lease: claiming the entry again resets its idle time. False when another worker took it meanwhile. */
export async function heartbeat(redis: Redis, key: string, consumer: string, id: string): Promise<boolean> {
  const ids = (await redis.xclaim(key, WORKER_GROUP, consumer, 0, id, 'JUSTID')) as string[];
  return ids.length > 0;
}
