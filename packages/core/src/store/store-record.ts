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

/**
 * Lower-case hex SHA-256 of a base64 DER certificate; undefined when the
 * text is not canonical base64 (the DER would not give it back byte for byte).
 */
export function certFingerprint(base64: string): string | undefined {
  const der = Buffer.from(base64, 'base64');
  if (der.toString('base64') !== base64) return undefined;
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Split off the chain. The record is not mutated (other sinks see it as it
 * is); the copy keeps every key in its place, so restoring gives back the
 * same JSON text.
 */
export function storeRecord(record: ProbeRecord, fingerprint: (base64: string) => string | undefined = certFingerprint): StoredRecord {
  const chain = record.tls?.chain as unknown;
  const verbatim = (): StoredRecord => ({ chain: undefined, certs: [], json: JSON.stringify(record) });
  if (!Array.isArray(chain)) return verbatim();
  const certs: StoredRecord['certs'] = [];
  for (const base64 of chain) {
    // A hostile chain (an entry that is not a string, or not canonical base64) is kept as it came, in the JSON, with no chain column.
    const sha256 = typeof base64 === 'string' ? fingerprint(base64) : undefined;
    if (sha256 === undefined) return verbatim();
    certs.push({ sha256, base64: base64 as string });
  }
  const fps = certs.map((c) => c.sha256);
  return { chain: fps, certs, json: JSON.stringify({ ...record, tls: { ...record.tls, chain: fps } }) };
}

/**
 * The record back, each chain fingerprint replaced by its base64 DER (`der`
 * answers for every fingerprint of the record). `der` undefined: the record
 * was stored verbatim (its chain column is NULL), nothing to restore.
 */
export function restoreRecord(json: string, der: ((sha256: string) => string) | undefined): ProbeRecord {
  const record = JSON.parse(json) as ProbeRecord;
  const chain = record.tls?.chain;
  if (der && Array.isArray(chain)) record.tls!.chain = chain.map(der);
  return record;
}
