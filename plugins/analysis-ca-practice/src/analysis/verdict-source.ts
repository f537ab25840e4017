import type { ChainEntry } from './chain-service.js';

/** Where verdicts come from: the in-thread ChainService or a pool of worker threads running one each. */
export interface VerdictSource {
  /**
   * The verdict for a chain (base64 DER, wire order) at `at` (epoch ms); a promise when it is computed elsewhere.
   * `hash`: ChainService.chainHash(chain), when the caller has it. `keep` false: the caller asks for this
   * chain once and nothing settles it, so no verdict (and no retry state) is kept for it; a verdict kept
   * earlier still answers.
   */
  verdict(chain: readonly string[], at: number, hash?: string, keep?: boolean): ChainEntry | Promise<ChainEntry>;
  /**
   * Once every record is in: settle order-dependent results (chains a later
   * intermediate completes). Returns the verdicts that changed, each with the
   * interval it had before (how a caller that stored it finds it again).
   * A source that keeps its retry state without the chains (compactRetry, the
   * store path) asks `chains` for the chains it must recheck, a page at a time.
   */
  settle(chains?: ChainsByHash): Promise<SettledChange[]>;
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

/** The chains (base64 DER, wire order) of the given chain hashes (ChainService.chainHash), from wherever the caller stored them. */
export type ChainsByHash = (hashes: readonly string[]) => Promise<Map<string, readonly string[]>>;

/** A verdict settle() must recheck, kept without its chain (compactRetry); `chain` is filled in for the recheck. */
export interface RecheckItem {
  hash: string;
  at: number;
  from: number;
  until: number;
  /** Its errors, joined: a recheck reports a change only when they differ. */
  errors: string;
  chain?: readonly string[];
}

/** Recheck items per chains() call. */
const RECHECK_PAGE = 1024;

/**
 * Recheck candidates kept without their chains (compactRetry): a page at a time, each page's chains
 * from `chains`, rechecked by `recheck` (in this thread or a worker's). The verdicts that changed.
 */
export async function recheckPaged(
  todo: readonly RecheckItem[],
  chains: ChainsByHash | undefined,
  recheck: (items: RecheckItem[]) => SettledChange[] | Promise<SettledChange[]>,
): Promise<SettledChange[]> {
  const changed: SettledChange[] = [];
  for (let i = 0; i < todo.length; i += RECHECK_PAGE) {
    if (!chains) throw new Error('ca-practice: settle() of a validator with compact retry state needs the chains');
    const page = todo.slice(i, i + RECHECK_PAGE);
    const found = await chains(page.map((t) => t.hash));
    changed.push(...(await recheck(page.map((t) => ({ ...t, chain: found.get(t.hash) })))));
  }
  return changed;
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
