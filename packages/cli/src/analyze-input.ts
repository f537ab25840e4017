import { isStoreFile, openStore, readRecords, type Analyzer, type ProbeRecord, type ReadRecordsOptions, type Report } from '@wildtls/core';
import { HeapGuard } from './heap-guard.js';

/** Records between two looks at the heap guard. */
const GUARD_EVERY = 1024;

/**
 * Run analyzers over result files and return their reports, in the analyzers'
 * order. When the input is exactly one result store, an analyzer with
 * analyzeStore counts in SQL there; the others get the store's records,
 * streamed once for all of them. Otherwise every analyzer consumes every
 * record of every file (JSONL, JSONL.gz or stores), in one pass.
 */
export async function analyzeInput(files: readonly string[], analyzers: readonly Analyzer[], read: ReadRecordsOptions = {}): Promise<Report[]> {
  const only = files.length === 1 && files[0] !== '-' ? files[0]! : undefined;
  if (only && (await isStoreFile(only))) {
    // Read-write: an analysis may keep what it derives (verdicts per distinct chain) in tables of its own.
    const store = await openStore(only);
    try {
      const fromStore = new Map<Analyzer, Report>();
      for (const a of analyzers) if (a.analyzeStore) fromStore.set(a, await a.analyzeStore(store));
      const streamed = analyzers.filter((a) => !a.analyzeStore);
      const guard = new HeapGuard();
      try {
        if (streamed.length) await consumeAll([store.records()], streamed, guard);
        const reports: Report[] = [];
        for (const a of analyzers) reports.push(fromStore.get(a) ?? (await guard.watch(Promise.resolve(a.finish()))));
        return reports;
      } finally {
        guard.stop();
      }
    } finally {
      await store.close();
    }
  }
  // The guard watches the analyses' finish() too: their final counting can need more heap than the reading did.
  const guard = new HeapGuard();
  try {
    await consumeAll(files.map((file) => readRecords(file, process.stdin, read)), analyzers, guard);
    const reports: Report[] = [];
    for (const a of analyzers) reports.push(await guard.watch(Promise.resolve(a.finish())));
    return reports;
  } finally {
    guard.stop();
  }
}

/**
 * Every record of the sources, in turn, to every analyzer, in one pass. The stream path keeps
 * per-server and per-chain state in JavaScript: the heap guard gives a clear error, not V8's abort,
 * if it outgrows the heap.
 */
async function consumeAll(sources: ReadonlyArray<AsyncIterable<ProbeRecord>>, analyzers: readonly Analyzer[], guard: HeapGuard): Promise<void> {
  let n = 0;
  for (const source of sources) {
    for await (const record of source) {
      if (++n % GUARD_EVERY === 0) guard.check(n);
      for (const a of analyzers) await a.consume(record);
    }
  }
  guard.check(n);
}
