import { createHash } from 'node:crypto';
import type { ProbeRecord } from '../record/record-schema.js';

/** A record as the store keeps it: the chain as fingerprints, the record's JSON with those in place of the DER. */
export interface StoredRecord {
  /** SHA-256 (lower-case hex) of each chain entry, in the record's order; undefined when the record has no tls.chain. */
  chain: string[] | undefined;
  /** Each chain entry's fingerprint and DER (repeats included; the writer dedupes). */
  certs: Array<{ sha256: string; base64: string }>;
  json: string;
}

/** Lower-case hex SHA-256 of a base64 DER certificate. */
export function certFingerprint(base64: string): string {
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
}

/**
 * Split off the chain. The record is not mutated (other sinks see it as it
 * is); the copy keeps every key in its place, so restoring gives back the
 * same JSON text.
 */
export function storeRecord(record: ProbeRecord, fingerprint: (base64: string) => string = certFingerprint): StoredRecord {
  const chain = record.tls?.chain;
  if (!Array.isArray(chain)) return { chain: undefined, certs: [], json: JSON.stringify(record) };
  const certs = chain.map((base64) => ({ sha256: fingerprint(base64), base64 }));
  const fps = certs.map((c) => c.sha256);
  return { chain: fps, certs, json: JSON.stringify({ ...record, tls: { ...record.tls, chain: fps } }) };
}

/** The record back, each chain fingerprint replaced by its base64 DER (`der` answers for every fingerprint of the record). */
export function restoreRecord(json: string, der: (sha256: string) => string): ProbeRecord {
  const record = JSON.parse(json) as ProbeRecord;
  const chain = record.tls?.chain;
  if (Array.isArray(chain)) record.tls!.chain = chain.map(der);
  return record;
}
