/** Worker thread: one ChainService answering the pool's messages (see worker-pool.ts). */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { ChainService } from './chain-service.js';
import { serviceSettings, type PlainSettings } from './service-settings.js';
import { wireEntry, type RecheckItem } from './verdict-source.js';

export interface ValidateRequest {
  id: number;
  hash: string;
  chain: string[];
  at: number;
  /** false: keep nothing for this chain (VerdictSource.verdict's `keep`). */
  keep?: boolean;
}

export type WorkerRequest =
  | { type: 'validate-batch'; id: number; items: ValidateRequest[] }
  | { type: 'intermediates'; id: number }
  | { type: 'add-intermediates'; id: number; list: string[] }
  | { type: 'settle'; id: number }
  | { type: 'retry-candidates'; id: number }
  | { type: 'recheck'; id: number; items: RecheckItem[] }
  | { type: 'stats'; id: number }
  | { type: 'heap'; id: number }
  | { type: 'close'; id: number };

/** What the pool sends each worker: the validator's settings, and whether it keeps its retry state without the chains. */
export interface WorkerData {
  settings: PlainSettings;
  compactRetry: boolean;
}

const data = workerData as WorkerData;
const svc = new ChainService(serviceSettings(data.settings), false, data.compactRetry);
/** This thread's largest used heap seen after a batch (for WorkerPool.heap(): what a validator thread holds). */
let peakHeap = 0;

/** This thread's heap: used now (after a full collection when node runs with --expose-gc, so live data only) and the largest seen after a batch. */
export interface WorkerHeap {
  used: number;
  peak: number;
  limit: number;
}

parentPort!.on('message', (m: WorkerRequest) => {
  try {
    switch (m.type) {
      case 'validate-batch':
        // One message per batch: posting costs more than validating a cached intermediate's leaf.
        parentPort!.postMessage({ id: m.id, value: m.items.map((r) => wireEntry(svc.verdict(r.chain, r.at, r.hash, r.keep ?? true))) });
        peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
        break;
      case 'heap': {
        (globalThis as { gc?: () => void }).gc?.();
        const h = getHeapStatistics();
        parentPort!.postMessage({ id: m.id, value: { used: h.used_heap_size, peak: Math.max(peakHeap, h.used_heap_size), limit: h.heap_size_limit } satisfies WorkerHeap });
        break;
      }
      case 'intermediates':
        parentPort!.postMessage({ id: m.id, value: svc.intermediates() });
        break;
      case 'add-intermediates':
        svc.addIntermediates(m.list);
        parentPort!.postMessage({ id: m.id, value: null });
        break;
      case 'settle':
        parentPort!.postMessage({ id: m.id, value: svc.settleSync().map((c) => ({ ...c, entry: wireEntry(c.entry) })) });
        break;
      case 'retry-candidates':
        parentPort!.postMessage({ id: m.id, value: svc.takeRetryCandidates() });
        break;
      case 'recheck':
        parentPort!.postMessage({ id: m.id, value: svc.recheckItems(m.items).map((c) => ({ ...c, entry: wireEntry(c.entry) })) });
        break;
      case 'close':
        // Frees the chains kept for settle() (a temporary file) before the pool terminates this thread.
        void svc.close().then(() => parentPort!.postMessage({ id: m.id, value: null }));
        break;
      case 'stats':
        void svc.stats().then((s) => parentPort!.postMessage({ id: m.id, value: s }));
        break;
    }
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) });
  }
});
