import { Worker } from 'node:worker_threads';
import type { ChainClass, ChainClassifier } from './chain-classifier.js';

const BATCH = 64;

/**
 * The fallback validator in a worker thread, so that validation uses the
 * second core while the main thread reads and counts. Jobs are sent in
 * batches (a message costs more than a small chain); classify() resolves
 * when the worker answers. close() ends the worker.
 */
export class WorkerClassifier implements ChainClassifier {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (c: ChainClass) => void>();
  private batch: Array<{ id: number; chain: Uint8Array[]; at: number }> = [];
  private nextId = 0;
  private failure: Error | undefined;
  private flushQueued = false;

  /** roots: PEM certificates; undefined = Node's bundled store. */
  constructor(roots?: string[]) {
    this.worker = new Worker(new URL('./classify-worker.js', import.meta.url), { workerData: { roots } });
    this.worker.unref();
    this.worker.on('message', (answers: Array<[number, ChainClass]>) => {
      for (const [id, c] of answers) {
        this.waiting.get(id)?.(c);
        this.waiting.delete(id);
      }
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      // Nothing more will come: whatever is waiting stays invalid.
      for (const resolve of this.waiting.values()) resolve('invalid');
      this.waiting.clear();
    });
  }

  classify(chain: readonly Uint8Array[], at: Date): Promise<ChainClass> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise<ChainClass>((resolve) => this.waiting.set(id, resolve));
    this.batch.push({ id, chain: [...chain], at: at.getTime() });
    if (this.batch.length >= BATCH) this.flush();
    else if (!this.flushQueued) {
      // A partial batch goes out once the current consume() returns.
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return p;
  }

  flush(): void {
    this.flushQueued = false;
    if (!this.batch.length) return;
    this.worker.postMessage(this.batch);
    this.batch = [];
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
