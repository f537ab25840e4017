/**
 * The result store's layout (docs/store.md). Version 1:
 *
 *   wildtls_meta(key, value)            format='wildtls-store', schema_version='1', created_by
 *   certificates(sha256, der, first_seq) each distinct certificate once; first_seq is the seq of
 *                                       the first record that carried it (reading restores chains
 *                                       chunk by chunk through it, without a lookup per record)
 *   records(seq, ip, ..., chain, record) one row per record, in write order
 *   cert_staging(sha256, der, first_seq) a batch's certificates before they are merged (empty between batches)
 */
export const STORE_FORMAT = 'wildtls-store';
export const STORE_SCHEMA_VERSION = 1;

/** The columns of `records`, in table order (the writer appends in this order). */
export const RECORD_COLUMNS = ['seq', 'ip', 'port', 'service', 'protocol', 'mode', 'status', 'domain', 'mail_domain', 'source', 'chain', 'record'] as const;

export const CREATE_TABLES = [
  `CREATE TABLE wildtls_meta(key VARCHAR PRIMARY KEY, value VARCHAR)`,
  // The primary key makes INSERT OR IGNORE a point lookup per certificate (see store-writer.ts).
  `CREATE TABLE certificates(sha256 VARCHAR PRIMARY KEY, der BLOB NOT NULL, first_seq BIGINT NOT NULL)`,
  `CREATE TABLE records(seq BIGINT NOT NULL, ip VARCHAR NOT NULL, port INTEGER NOT NULL, service VARCHAR NOT NULL,
     protocol VARCHAR, mode VARCHAR, status VARCHAR, domain VARCHAR, mail_domain VARCHAR, source VARCHAR,
     chain VARCHAR[], record JSON NOT NULL)`,
  `CREATE TABLE cert_staging(sha256 VARCHAR, der BLOB, first_seq BIGINT)`,
];
