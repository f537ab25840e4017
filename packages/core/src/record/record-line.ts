import type { ProbeRecord } from './record-schema.js';

/**
 * The JSON line a record was parsed from, when it came from a probe worker:
 * the worker serialized it once already, so the JSONL sink writes that line
 * instead of serializing the parsed copy a second time on the main thread
 * (the thread every worker's records pass through). Kept beside the record,
 * not on it, so the record's own keys are untouched.
 */
const lines = new WeakMap<ProbeRecord, string>();

/** Parse a record's JSON line and remember the line for the sinks. */
export function parseRecordLine(line: string): ProbeRecord {
  const record = JSON.parse(line) as ProbeRecord;
  lines.set(record, line);
  return record;
}

/**
 * Remember `line`, which must be JSON.stringify(record) exactly (a passive record is built with its
 * line, mostly from text its ClientHello's shape already had). A consumer that changes the record
 * afterwards does not change the line: records are data to read, as the parsed ones are.
 */
export function setRecordLine(record: ProbeRecord, line: string): void {
  lines.set(record, line);
}

/** The record as one JSON line (no newline): the line it was parsed from, or a fresh serialization. */
export function recordLine(record: ProbeRecord): string {
  return lines.get(record) ?? JSON.stringify(record);
}
