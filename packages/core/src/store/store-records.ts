import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';
import { BoundedCache } from './bounded-cache.js';
import type { DuckDbConnection } from './duckdb-module.js';
import { restoreRecord } from './store-record.js';

/** Certificates kept between chunks (the intermediates and roots most chains share). */
const CACHE_CERTS = 20_000;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Stream a store's records, whole, in write order (the table is only ever
 * appended to, and DuckDB keeps insertion order), chains restored. For each
 * chunk of rows the certificates first seen in that chunk's seq range come
 * in one range query (certificates.first_seq); the shared ones are mostly in
 * a bounded cache; the rest in one lookup per chunk. No query per record.
 */
export async function* streamStoreRecords(conn: DuckDbConnection, lookup: DuckDbConnection, where?: string): AsyncGenerator<ProbeRecord> {
  const cache = new BoundedCache<string, string>(CACHE_CERTS);
  const result = await conn.stream(`SELECT seq, record, chain FROM records${where ? ` WHERE (${where})` : ''}`);
  for await (const rows of result.yieldRowsJs()) {
    const chunk = new Map<string, string>();
    const missing = new Set<string>();
    let lo = Infinity;
    let hi = -Infinity;
    for (const [seq, , chain] of rows) {
      if (!Array.isArray(chain)) continue;
      const s = Number(seq);
      if (s < lo) lo = s;
      if (s > hi) hi = s;
      // Taken into the chunk's own map now: a cached entry could be evicted before its row is restored.
      for (const fp of chain as string[]) {
        if (chunk.has(fp)) continue;
        const hit = cache.get(fp);
        if (hit !== undefined) chunk.set(fp, hit);
        else missing.add(fp);
      }
    }
    if (missing.size && hi - lo <= 8 * rows.length) {
      const ranged = await lookup.runAndReadAll('SELECT sha256, base64(der) FROM certificates WHERE first_seq BETWEEN $1 AND $2', [lo, hi]);
      for (const [fp, b64] of ranged.getRowsJS() as Array<[string, string]>) {
        chunk.set(fp, b64);
        missing.delete(fp);
      }
    }
    if (missing.size) {
      const fps = [...missing].filter((fp) => HEX64.test(fp));
      if (fps.length) {
        const found = await lookup.runAndReadAll(`SELECT sha256, base64(der) FROM certificates WHERE sha256 IN (${fps.map((f) => `'${f}'`).join(',')})`);
        for (const [fp, b64] of found.getRowsJS() as Array<[string, string]>) chunk.set(fp, b64);
      }
    }
    for (const [seq, record, chain] of rows) {
      yield restoreRecord(record as string, chain as string[] | null, (fp) => {
        const b64 = chunk.get(fp);
        if (b64 === undefined) throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `result store: record ${Number(seq)} refers to certificate ${fp}, which the store does not hold`);
        cache.set(fp, b64);
        return b64;
      });
    }
  }
}
