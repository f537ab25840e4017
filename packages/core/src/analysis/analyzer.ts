import type { ProbeRecord } from '../record/record-schema.js';
import type { Report } from './report.js';

/** Consumes records one at a time (live from the bus or from stored results), then reports. */
export interface Analyzer {
  consume(record: ProbeRecord): void | Promise<void>;
  finish(): Report | Promise<Report>;
}
