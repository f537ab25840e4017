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

/** Lower-case hex SHA-256 of a base64 DER certificate, decoded as the analyses decode it (Buffer's lenient base64). */
export function certFingerprint(base64: string): string {
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
}

/** Whether decoding and encoding again gives back the same text (then the store can keep the DER alone). */
function canonicalBase64(text: string): boolean {
  return Buffer.from(text, 'base64').toString('base64') === text;
}

/**
 * Split off the chain. The record is not mutated (other sinks see it as it
 * is); the copy keeps every key in its place, so restoring gives back the
 * same JSON text. The chain column holds the fingerprints of the chain's
 * string entries, as the analyses read them (they skip the rest). A hostile
 * chain (an entry that is not a string, or not canonical base64) stays in the
 * JSON as it came, so the record still comes back byte for byte.
 */
export function storeRecord(record: ProbeRecord, fingerprint: (base64: string) => string = certFingerprint): StoredRecord {
  const chain = record.tls?.chain as unknown;
  if (!Array.isArray(chain)) return { chain: undefined, certs: [], json: JSON.stringify(record) };
  const strings = chain.filter((e): e is string => typeof e === 'string');
  const certs = strings.map((base64) => ({ sha256: fingerprint(base64), base64 }));
  const fps = certs.map((c) => c.sha256);
  const compact = strings.length === chain.length && strings.every(canonicalBase64);
  return { chain: fps, certs, json: JSON.stringify(compact ? { ...record, tls: { ...record.tls, chain: fps } } : record) };
}

/**
 * The record back: when its JSON chain is the chain column (fingerprints),
 * each is replaced by its base64 DER (`der` answers for every fingerprint of
 * the record); otherwise the JSON kept the chain as it came.
 */
export function restoreRecord(json: string, chain: readonly string[] | null | undefined, der: (sha256: string) => string): ProbeRecord {
  const record = JSON.parse(json) as ProbeRecord;
  const kept = record.tls?.chain as unknown;
  if (Array.isArray(chain) && Array.isArray(kept) && kept.length === chain.length && kept.every((e, i) => e === chain[i])) record.tls!.chain = chain.map(der);
  return record;
}
