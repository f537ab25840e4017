/** Worker thread: one ChainService answering the pool's messages (see worker-pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { ChainService } from './chain-service.js';
import { serviceSettings, type PlainSettings } from './service-settings.js';
import { wireEntry } from './verdict-source.js';

export interface ValidateRequest {
  id: number;
  hash: string;
  chain: string[];
  at: number;
}

export type WorkerRequest =
  | { type: 'validate-batch'; id: number; items: ValidateRequest[] }
  | { type: 'intermediates'; id: number }
  | { type: 'add-intermediates'; id: number; list: string[] }
  | { type: 'settle'; id: number }
  | { type: 'stats'; id: number };

const svc = new ChainService(serviceSettings(workerData as PlainSettings), false);

parentPort!.on('message', (m: WorkerRequest) => {
  try {
    switch (m.type) {
      case 'validate-batch':
        // One message per batch: posting costs more than validating a cached intermediate's leaf.
        parentPort!.postMessage({ id: m.id, value: m.items.map((r) => wireEntry(svc.verdict(r.chain, r.at, r.hash))) });
        break;
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
      case 'stats':
        void svc.stats().then((s) => parentPort!.postMessage({ id: m.id, value: s }));
        break;
    }
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) });
  }
});
