/** Worker thread body of {@link WorkerClassifier}: the fallback validator, off the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { RootStoreClassifier } from './chain-classifier.js';

interface Job {
  id: number;
  chain: Uint8Array[];
  at: number;
}

const classifier = new RootStoreClassifier((workerData as { roots?: string[] }).roots);
parentPort!.on('message', (jobs: Job[]) => {
  parentPort!.postMessage(jobs.map((j) => [j.id, classifier.classify(j.chain, new Date(j.at))]));
});
