import type { ChainEntry } from './chain-service.js';

/** Where verdicts come from: the in-thread ChainService or a pool of worker threads running one each. */
export interface VerdictSource {
  /** The verdict for a chain (base64 DER, wire order) at `at` (epoch ms); a promise when it is computed elsewhere. `hash`: ChainService.chainHash(chain), when the caller has it. */
  verdict(chain: readonly string[], at: number, hash?: string): ChainEntry | Promise<ChainEntry>;
  /**
   * Once every record is in: settle order-dependent results (chains a later
   * intermediate completes). Returns the verdicts that changed, each with the
   * interval it had before (how a caller that stored it finds it again).
   */
  settle(): Promise<SettledChange[]>;
  stats(): Promise<SourceStats>;
  close(): Promise<void>;
}

export interface SourceStats {
  validations: number;
  /** Distinct intermediates seen in the scan. */
  intermediates: number;
  anchors: number;
  anchorSource: string;
  rejectedAnchors: number;
  workers: number;
}

/** A verdict settle() changed: its chain hash and former interval, and the verdict now. */
export interface SettledChange {
  from: number;
  until: number;
  entry: ChainEntry;
}

/** An entry as it crosses a thread boundary: without the retry state, which stays with its validator. */
export function wireEntry(e: ChainEntry): ChainEntry {
  const { retry: _retry, ...rest } = e;
  return rest;
}
