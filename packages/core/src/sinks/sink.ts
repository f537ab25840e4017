import type { ProbeRecord } from '../record/record-schema.js';

/** A destination for records (file, stdout, database...), fed by the result bus. */
export interface Sink {
  write(record: ProbeRecord): void | Promise<void>;
  /** Flush and release; called once after the last record. */
  close(): Promise<void>;
}
