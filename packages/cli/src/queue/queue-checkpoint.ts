import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { WildtlsError, type ProbeStatus } from '@wildtls/core';

/**
 * The coordinator's checkpoint: which chunks are in the output, and how long
 * the output was then. Results received after it are acknowledged in Redis
 * only once a checkpoint covers them, so after kill -9 Redis delivers them
 * again, the output is cut back to `output.bytes` (a store: its records from
 * `output.records` on are deleted), and nothing is lost or doubled.
 */
export interface QueueCheckpoint {
  version: 1;
  kind: 'queue';
  job: string;
  planFingerprint: string;
  chunks: number;
  /** Every chunk below this number has its records in the output... */
  doneBelow: number;
  /** ...and these chunks above it. */
  doneAbove: number[];
  counters: { probes: number; targets: number; excluded: number; invalid: number; byStatus: Partial<Record<ProbeStatus, number>> };
  /** The output at the checkpoint: a JSONL file and its length, or a result store and its record count (`records`; bytes 0). */
  output: { path: string; bytes: number; records?: number };
  complete: boolean;
  updatedAt: string;
}

export function writeQueueCheckpoint(path: string, cp: QueueCheckpoint): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(cp) + '\n');
  renameSync(tmp, path);
}

export function readQueueCheckpoint(path: string): QueueCheckpoint {
  let cp: QueueCheckpoint;
  try {
    cp = JSON.parse(readFileSync(path, 'utf8')) as QueueCheckpoint;
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot read the queue checkpoint ${path}: ${(err as Error).message}`);
  }
  if (!cp || cp.kind !== 'queue' || cp.version !== 1 || typeof cp.doneBelow !== 'number' || !Array.isArray(cp.doneAbove) || typeof cp.job !== 'string') {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `${path} is not the checkpoint of a queued scan (wildtls scan --queue)`);
  }
  return cp;
}
