import type { ProbeRecord } from './record-schema.js';

/**
 * A record's JSON line when one was made already: a probe worker's record is
 * parsed from the line the worker serialized, and a passive record is built
 * with its line. The JSONL sink writes that line instead of serializing the
 * record again on the main thread (the thread every record passes through).
 *
 * Kept on the record under this symbol, not enumerable: JSON.stringify,
 * Object.keys, spread, Object.assign and structuredClone do not see it, so the
 * record's own keys are untouched and a copy never carries it. (A WeakMap
 * beside the record did the same, but its entries cost the garbage collector
 * more than the serialization they saved for passive records.) A consumer that
 * changes a record afterwards does not change its line: records are data to read.
 */
const LINE = Symbol('wildtls.recordLine');

type WithLine = ProbeRecord & { [LINE]?: string };

/** Parse a record's JSON line and remember the line for the sinks. */
export function parseRecordLine(line: string): ProbeRecord {
  const record = JSON.parse(line) as ProbeRecord;
  setRecordLine(record, line);
  return record;
}

/** Remember `line`, which must be JSON.stringify(record) exactly, or the line the record was parsed from. */
export function setRecordLine(record: ProbeRecord, line: string): void {
  Object.defineProperty(record, LINE, { value: line });
}

/** The record as one JSON line (no newline): the line it was parsed from or built with, or a fresh serialization. */
export function recordLine(record: ProbeRecord): string {
  return (record as WithLine)[LINE] ?? JSON.stringify(record);
}
