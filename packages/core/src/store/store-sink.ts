import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { Sink } from '../sinks/sink.js';
import { openStore, type ResultStore } from './result-store.js';
import { StoreWriter, type PreparedRecord } from './store-writer.js';

/** Records per transaction: large enough to amortize a commit, small enough to keep a batch's memory small. */
export const STORE_BATCH = 4096;

export interface StoreSinkSettings {
  path: string;
  /** Resume: delete the records with seq >= this (written after the checkpoint) before writing. */
  resumeAt?: number;
  createdBy?: string;
}

/**
 * A Sink writing to a DuckDB result store (`--output x.duckdb`, or
 * `use: duckdb` in output.sinks). Records are batched; flush() commits what
 * was written, so a checkpoint taken after it counts only committed records.
 */
export class StoreSink implements Sink {
  private pending: PreparedRecord[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly store: ResultStore, private readonly writer: StoreWriter) {}

  static async open(settings: StoreSinkSettings): Promise<StoreSink> {
    const store = await openStore(settings.path, { create: true, createdBy: settings.createdBy });
    try {
      if (settings.resumeAt !== undefined) {
        await store.run('DELETE FROM records WHERE seq >= $1', [settings.resumeAt]);
        const count = await store.count();
        if (count !== settings.resumeAt) throw new WildtlsError('WILDTLS_ERR_USAGE', `the result store ${settings.path} holds ${count} records, fewer than when the checkpoint was written (${settings.resumeAt}); it cannot be resumed`);
      }
    } catch (err) {
      await store.close();
      throw err;
    }
    return new StoreSink(store, new StoreWriter(store));
  }

  async write(record: ProbeRecord): Promise<void> {
    this.pending.push(this.writer.prepare(record));
    if (this.pending.length >= STORE_BATCH) await this.commit();
  }

  /** Hand the pending batch to the writer; batches commit in order. */
  private commit(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length) this.writing = this.writing.then(() => this.writer.writePrepared(batch));
    return this.writing;
  }

  /** Resolves when every record written so far is committed. */
  async flush(): Promise<void> {
    await this.commit();
  }

  /** Records committed (the next seq): what a checkpoint records. */
  async count(): Promise<number> {
    await this.writing;
    return this.writer.seq();
  }

  async close(): Promise<void> {
    try {
      await this.commit();
    } finally {
      await this.store.close();
    }
  }
}
