import { readRecords, type ReadRecordsOptions } from '../analysis/read-records.js';
import { openStore } from './result-store.js';
import { STORE_BATCH } from './store-sink.js';
import { StoreWriter, type PreparedRecord } from './store-writer.js';

export interface ImportOptions extends ReadRecordsOptions {
  createdBy?: string;
  /** Called after each committed batch with the records imported so far. */
  onProgress?: (records: number) => void;
}

/**
 * Load JSONL result files (gzip detected by content) into a store, created
 * when missing, appended to otherwise. Each batch is one transaction. Returns
 * how many records were imported.
 */
export async function importIntoStore(files: readonly string[], storePath: string, options: ImportOptions = {}): Promise<{ records: number }> {
  const store = await openStore(storePath, { create: true, createdBy: options.createdBy });
  let records = 0;
  try {
    const writer = new StoreWriter(store);
    // Each record is prepared as it is read, so a batch holds rows, not parsed records.
    let batch: PreparedRecord[] = [];
    for (const file of files) {
      for await (const record of readRecords(file, undefined, options)) {
        batch.push(writer.prepare(record));
        if (batch.length >= STORE_BATCH) {
          await writer.writePrepared(batch);
          records += batch.length;
          batch = [];
          options.onProgress?.(records);
        }
      }
    }
    await writer.writePrepared(batch);
    records += batch.length;
    options.onProgress?.(records);
  } finally {
    await store.close();
  }
  return { records };
}
