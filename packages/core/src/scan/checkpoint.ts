import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { WildtlsError } from '../errors.js';
import type { ProbeStatus } from '../record/status.js';
import type { StreamCounters } from './position-tracker.js';
import type { ScanPlan } from './scan-plan.js';

/**
 * What `--resume` needs: which stream (source, seed, shard), how far it got,
 * the keys of records already written past that point, and how long the
 * output file was when the checkpoint was taken (later bytes are cut off and
 * scanned again, so nothing is written twice).
 */
export interface Checkpoint {
  version: 1;
  source: string;
  fingerprint: string;
  seed: number;
  shards: number;
  shard: number;
  /**
   * What the scan was asked to do (services, ports, targets, TLS settings):
   * a resume with another plan is refused. Absent in checkpoints written
   * before it existed (accepted with a warning).
   */
  plan?: ScanPlan;
  /** Every target before this position has all its records in the output. */
  position: number;
  /** Keys (ip|port|service|domain) of records in the output for targets at or after `position`. */
  written: string[];
  counters: StreamCounters & { probes: number; byStatus: Partial<Record<ProbeStatus, number>> };
  /**
   * The primary output at the checkpoint: a JSONL file and its length in
   * bytes, or a result store (.duckdb) and its record count (`records`, the
   * next seq; `bytes` is then 0).
   */
  output?: { path: string; bytes: number; records?: number };
  /** The scan reached the end of its targets. */
  complete: boolean;
  updatedAt: string;
}

/** Write atomically (temporary file, then rename), so a crash never leaves half a checkpoint. */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(checkpoint) + '\n');
  renameSync(tmp, path);
}

export function readCheckpoint(path: string): Checkpoint {
  let data: Checkpoint;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  const ok = data && data.version === 1 && typeof data.position === 'number' && Array.isArray(data.written) &&
    typeof data.seed === 'number' && typeof data.fingerprint === 'string' && data.counters && typeof data.counters.probes === 'number';
  if (!ok) throw new WildtlsError('WILDTLS_ERR_USAGE', `${path} is not a wildtls checkpoint (version 1)`);
  return data;
}
