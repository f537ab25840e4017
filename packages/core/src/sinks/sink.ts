import type { ProbeRecord } from '../record/record-schema.js';

/** A destination for records (file, stdout, database...), fed by the result bus. */
export interface Sink {
  write(record: ProbeRecord): void | Promise<void>;
  /**
   * Optional: resolve once every record written so far has left the process
   * (is in the file, the database...). Checkpoints call it before they record
   * progress, so a crash after a checkpoint loses nothing it counted.
   */
  flush?(): Promise<void>;
  /** Flush and release; called once after the last record. */
  close(): Promise<void>;
}
