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

/** What the store needs of one chain entry: its fingerprint, and whether the DER alone gives the text back. */
export interface ChainEntry {
  sha256: string;
  /** Decoding and encoding again gives back the same text (then the store can keep the DER alone). */
  canonical: boolean;
}

/** A chain entry's fingerprint and form, from one decode (a writer caches these per distinct entry). */
export function chainEntry(base64: string): ChainEntry {
  const der = Buffer.from(base64, 'base64');
  return { sha256: createHash('sha256').update(der).digest('hex'), canonical: der.toString('base64') === base64 };
}

/**
 * Split off the chain. The record is not mutated (other sinks see it as it
 * is); the copy keeps every key in its place, so restoring gives back the
 * same JSON text. The chain column holds the fingerprints of the chain's
 * string entries, as the analyses read them (they skip the rest). A hostile
 * chain (an entry that is not a string, or not canonical base64) stays in the
 * JSON as it came, so the record still comes back byte for byte.
 */
export function storeRecord(record: ProbeRecord, entry: (base64: string) => ChainEntry = chainEntry): StoredRecord {
  const chain = record.tls?.chain as unknown;
  if (!Array.isArray(chain)) return { chain: undefined, certs: [], json: JSON.stringify(record) };
  const certs: StoredRecord['certs'] = [];
  const fps: string[] = [];
  let compact = true;
  for (const e of chain as unknown[]) {
    if (typeof e !== 'string') {
      compact = false;
      continue;
    }
    const { sha256, canonical } = entry(e);
    compact &&= canonical;
    certs.push({ sha256, base64: e });
    fps.push(sha256);
  }
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
