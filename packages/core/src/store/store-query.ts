import type { ProbeRecord } from '../record/record-schema.js';

/**
 * What an analysis sees of a DuckDB result store (`wildtls scan --output x.duckdb`,
 * `wildtls import`). The tables are described in docs/store.md; in short:
 *
 *   wildtls_meta(key VARCHAR, value VARCHAR)      format, schema_version, created_by
 *   certificates(sha256 VARCHAR, der BLOB)        each distinct certificate once (lower-case hex of the DER's SHA-256)
 *   records(seq BIGINT, ip VARCHAR, port INTEGER, service VARCHAR, protocol VARCHAR,
 *           mode VARCHAR, status VARCHAR, domain VARCHAR, mail_domain VARCHAR,
 *           source VARCHAR, chain VARCHAR[], record JSON)
 *
 * `records.record` is the whole record as JSON, except that each `tls.chain`
 * entry is the certificate's sha256 instead of its base64 DER; `records.chain`
 * is that same list (NULL when the record has no tls.chain). `seq` is the write
 * order, from 0. Tables an analysis derives (verdicts per distinct chain...)
 * are named after it: `<analysis id with - as _>_<name>`.
 *
 * Values come back as plain JavaScript: integers as numbers (BIGINT counts
 * included), BLOB as Uint8Array, lists as arrays, JSON as its text, NULL as null.
 */
export interface StoreQuery {
  /** Every row of a read query. Keep results small (aggregates); use rows() for big ones. */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The rows of a query, streamed in chunks: memory bounded whatever the result's size. */
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): AsyncIterable<T>;
  /** Run a statement that returns nothing of interest (CREATE TABLE, INSERT, DROP). */
  run(sql: string, params?: unknown[]): Promise<void>;
  /** Append rows to an existing table in bulk, in its column order. */
  append(table: string, rows: readonly unknown[][]): Promise<void>;
  /** The records, whole (chains restored as base64 DER), in write order; `where` filters on the records table's columns. */
  records(where?: string): AsyncIterable<ProbeRecord>;
}
