import type { StoreQuery } from '@wildtls/core';

/**
 * SASL counted in SQL on a result store (docs/analyses/sasl.md, "On a
 * store"): DuckDB picks each server's first record per service and port and
 * groups records by what the tallies read of them (the mechanism list as the
 * record has it, IMAP capabilities read and LOGINDISABLED, the truncation
 * flags), so JavaScript replays SaslTally.add once per distinct combination,
 * with its count as the weight. The rules are the stream path's
 * (SaslAnalyzer.consume); only where they run differs.
 */

/** JavaScript truthiness of a JSON value at a path of a JSON column (absent, null, false, 0 and "" are false). */
export function truthy(col: string, path = '$'): string {
  const t = `json_type(${col}, '${path}')`;
  const v = `json_extract(${col}, '${path}')::VARCHAR`;
  return `(${t} IS NOT NULL AND ${t} <> 'NULL'
    AND NOT (${t} = 'BOOLEAN' AND ${v} = 'false')
    AND NOT (${t} IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND TRY_CAST(${v} AS DOUBLE) = 0)
    AND NOT (${t} = 'VARCHAR' AND json_extract_string(${col}, '${path}') = ''))`;
}

/** The list at a path as its JSON text when it is a list (the strings in it are picked in JS), else NULL. */
function listText(col: string, path: string): string {
  return `CASE WHEN json_type(${col}, '${path}') = 'ARRAY' THEN json_extract(${col}, '${path}')::VARCHAR END`;
}

function positive(col: string, path: string): string {
  return `(json_type(${col}, '${path}') IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND TRY_CAST(json_extract(${col}, '${path}')::VARCHAR AS DOUBLE) > 0)`;
}

/** What consume reads of a record, each record's JSON parsed once (the small parts then read again). */
const PARTS = `(SELECT seq, ip, port, service, protocol, source, mode,
    json_extract(record, ['$.capabilities', '$.sasl']) AS p
  FROM records WHERE status IS DISTINCT FROM 'internal-error')`;

/** Per record (not our own bug): the facts SaslAnalyzer.consume reads. */
const FACTS = `(SELECT seq, ip, port, service, source = 'passive' AS passive, mode,
    ${truthy('p[1]')} OR ${truthy('p[2]')} AS has_lists,
    json_type(p[1], '$.beforeTls') = 'ARRAY' OR json_type(p[2], '$.beforeTls') = 'ARRAY' AS has_before,
    ${listText('p[2]', '$.beforeTls')} AS sasl_before,
    (starts_with(lower(service), 'imap') OR lower(coalesce(protocol, '')) = 'imap') AND json_type(p[1], '$.beforeTls') = 'ARRAY' AS imap_caps,
    coalesce(list_contains(list_transform(json_extract(p[1], '$.beforeTls[*]'),
      lambda c: CASE WHEN json_type(c) = 'VARCHAR' THEN upper(json_extract_string(c, '$')) END), 'LOGINDISABLED'), false) AS login_disabled,
    ${positive('p[2]', '$.truncated.beforeTls')} AS cut_before,
    json_type(p[1], '$.afterTls') = 'ARRAY' OR json_type(p[2], '$.afterTls') = 'ARRAY' AS has_after,
    ${listText('p[2]', '$.afterTls')} AS sasl_after,
    ${positive('p[2]', '$.truncated.afterTls')} AS cut_after
  FROM ${PARTS})`;

/** The first record of each server (ip:port) within a service and port, of the records `where` picks. */
const firstPerServer = (where: string) => `(SELECT * FROM sasl_facts WHERE ${where} QUALIFY row_number() OVER (PARTITION BY ip, port, service ORDER BY seq) = 1)`;

export interface PhaseRow {
  service: string;
  port: number;
  has_before: boolean;
  sasl_before: string | null;
  imap_caps: boolean;
  login_disabled: boolean;
  cut_before: boolean;
  has_after: boolean;
  sasl_after: string | null;
  cut_after: boolean;
  n: number;
}

export interface SaslStoreCounts {
  totals: { records: number; internal: number; servers: number };
  /** Service and port of every record with capabilities or SASL, in order of first sight. */
  groups: Array<{ service: string; port: number }>;
  /** Active servers (first record per server and group), grouped by what the tallies read. */
  active: PhaseRow[];
}

const PHASE_COLUMNS = 'service, port, has_before, sasl_before, imap_caps, login_disabled, cut_before, has_after, sasl_after, cut_after';

/** The counts of a store without passive records (a store with them is streamed through consume(): see SaslAnalyzer.analyzeStore). */
export async function saslCountsFromStore(store: StoreQuery): Promise<SaslStoreCounts> {
  // The JSON is read once; a temporary table (this connection's, never written to the store's file) holds the facts.
  await store.run(`CREATE OR REPLACE TEMP TABLE sasl_facts AS SELECT * FROM ${FACTS}`);
  try {
    return await counts(store);
  } finally {
    await store.run('DROP TABLE IF EXISTS sasl_facts');
  }
}

async function counts(store: StoreQuery): Promise<SaslStoreCounts> {
  const [totals] = await store.all<SaslStoreCounts['totals']>(
    `SELECT count(*) AS records, count(*) FILTER (WHERE status = 'internal-error') AS internal,
       (SELECT count(*) FROM (SELECT DISTINCT ip, port FROM records WHERE status IS DISTINCT FROM 'internal-error')) AS servers
     FROM records`,
  );
  const phases = (from: string) => store.all<PhaseRow>(`SELECT ${PHASE_COLUMNS}, count(*) AS n FROM ${from} GROUP BY ALL ORDER BY min(seq)`);
  return {
    totals: totals!,
    groups: await store.all(`SELECT service, port FROM sasl_facts WHERE has_lists GROUP BY service, port ORDER BY min(seq)`),
    active: await phases(firstPerServer('has_lists AND passive IS NOT TRUE')),
  };
}
