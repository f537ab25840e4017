import type { ProbeRecord } from '../record/record-schema.js';
import type { Report } from './report.js';
import type { StoreQuery } from '../store/store-query.js';

/** Consumes records one at a time (live from the bus or from stored results), then reports. */
export interface Analyzer {
  consume(record: ProbeRecord): void | Promise<void>;
  finish(): Report | Promise<Report>;
  /**
   * Optional: the report of a whole result store, counted in SQL there.
   * When the input is one store and this exists, it is called instead of
   * consume/finish, and must give the report they would give on the same
   * records. Without it the analyzer gets the store's records streamed.
   */
  analyzeStore?(store: StoreQuery): Promise<Report>;
}
