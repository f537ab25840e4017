import type { WildtlsConfig, ScanPlan } from '@wildtls/core';

/** Where a job lives in Redis: every key starts with `wildtls:job:<id>:`. */
export function jobKeys(id: string) {
  const base = `wildtls:job:${id}`;
  return {
    /** The job as published (JSON of QueueJob). */
    meta: `${base}:meta`,
    /** `running` or `done`. */
    state: `${base}:state`,
    /** One entry per chunk; consumer group WORKER_GROUP: a pending entry is a leased chunk. */
    chunks: `${base}:chunks`,
    /** One entry per finished chunk run (its records); consumer group COORDINATOR_GROUP. */
    results: `${base}:results`,
    /** How many chunks are in the chunk stream (set with them, atomically). */
    enqueued: `${base}:enqueued`,
    /** The global token bucket (tokens, ts). */
    bucket: `${base}:bucket`,
  };
}

/** The job a worker takes when it starts (the coordinator sets it). */
export const CURRENT_JOB_KEY = 'wildtls:current-job';
export const WORKER_GROUP = 'workers';
export const COORDINATOR_GROUP = 'coordinator';

/** What the coordinator publishes: enough for a worker to rebuild every chunk's targets and check it probes them alike. */
export interface QueueJob {
  version: 1;
  id: string;
  createdAt: string;
  /** The validated config of the coordinator (targets, seed, shards, blocklist, services, TLS settings). */
  config: WildtlsConfig;
  plan: ScanPlan;
  /** The target source's own fingerprint (seed, shard, inputs, blocklist): a worker's rebuilt source must match it. */
  sourceFingerprint: string;
  /** targetFileHashes(): blocklists, allowlist and input, by path. */
  targetFiles: Record<string, string>;
  /** configFingerprint(): the probe-relevant settings and the plugin set. */
  fingerprint: string;
  /** What the fingerprint covers, so a refusing worker can name the difference. */
  fingerprintParts: FingerprintParts;
  /** Positions of the target stream and chunks. */
  positions: number;
  chunkSize: number;
  chunks: number;
  /** Global new connections per second across all workers (0 = unlimited). */
  rate: number;
  /** A chunk not heartbeated for this long goes to another worker (ms). */
  leaseMs: number;
}

/** A chunk: the positions [from, to) of the job's seeded target stream. */
export interface ChunkRange {
  chunk: number;
  from: number;
  to: number;
}

/** A finished chunk as a worker sends it back: all its records in one message, so it is written whole or not at all. */
export interface ChunkResult {
  chunk: number;
  worker: string;
  /** Target inputs, excluded and invalid counts of the chunk (for the summary). */
  targets: number;
  excluded: number;
  invalid: number;
  /** JSONL, one record a line. */
  records: string;
}

export interface FingerprintParts {
  plugins: string[];
  settings: Record<string, unknown>;
}
