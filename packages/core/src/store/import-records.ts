import { readRecords, type ReadRecordsOptions } from '../analysis/read-records.js';
import { WildtlsError } from '../errors.js';
import { openStore } from './result-store.js';
import { StoreWriter, type PreparedRecord } from './store-writer.js';

/**
 * Records per transaction when importing: four of the sink's batches (fewer
 * commits, appenders and merges; about 1 s of CPU less per 100k records),
 * while the rows of a batch stay about 20 MiB.
 */
export const IMPORT_BATCH = 16_384;

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
        if (batch.length >= IMPORT_BATCH) {
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
  } catch (err) {
    // Batches already committed stay: say how many, so a re-run after a fix does not import them twice unknowingly.
    if (err instanceof WildtlsError && records > 0) throw new WildtlsError(err.code, `${err.message}; the ${records} records before it were imported into ${storePath}`, { cause: err });
    throw err;
  } finally {
    await store.close();
  }
  return { records };
}
