import type { ProbeRecord, StoreQuery } from '@wildtls/core';

/**
 * STARTTLS counted in SQL on a result store (docs/analyses/starttls.md, "On
 * a store"). DuckDB picks each server's first record per service and port
 * and groups those records by what the rules of host-state.ts read of a
 * record (status, bytesReceived, which parts are present, the TLS facts);
 * each distinct combination comes back once, as a stand-in record that has
 * exactly those facts, with its count, and goes through the same
 * StartTlsCounts.add. Certificates (totals and distinct ones) are counted in
 * SQL over the servers whose combination reached TLS.
 */

const isTrue = (json: string) => `coalesce(${json}::VARCHAR = 'true', false)`;

/** What a record's JSON holds that the rules read, each record's JSON parsed once. */
const PATHS = ['$.bytesReceived', '$.banner', '$.starttls', '$.capabilities', '$.sasl', '$.tls', '$.error.reason'];

/** The facts, as one JSON object per record: the shape the stand-in record is made from. */
const SHAPE = `to_json({
    status: status,
    bytes: CASE WHEN json_type(p[1]) IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CASE WHEN TRY_CAST(p[1]::VARCHAR AS DOUBLE) = 0 THEN 0 ELSE 1 END END,
    banner: p[2] IS NOT NULL, starttls: p[3] IS NOT NULL, capabilities: p[4] IS NOT NULL, sasl: p[5] IS NOT NULL,
    offered: ${isTrue("json_extract(p[3], '$.offered')")}, upgraded: ${isTrue("json_extract(p[3], '$.upgraded')")},
    tls: json_type(p[6]) IN ('OBJECT', 'ARRAY'),
    completed: ${isTrue("json_extract(p[6], '$.completed')")}, version: json_extract(p[6], '$.version') IS NOT NULL,
    suite: json_extract(p[6], '$.cipherSuite') IS NOT NULL, alert: json_extract(p[6], '$.alert') IS NOT NULL,
    sslv2: ${isTrue("json_extract(p[6], '$.sslv2Reply')")},
    chain: json_type(p[6], '$.chain') = 'ARRAY' AND json_array_length(p[6], '$.chain') > 0,
    kind: CASE WHEN json_type(p[6], '$.error.kind') = 'VARCHAR' THEN json_extract_string(p[6], '$.error.kind') END,
    reason: CASE WHEN json_type(p[7]) = 'VARCHAR' THEN json_extract_string(p[7], '$') END
  })::VARCHAR`;

interface Shape {
  status: string | null;
  bytes: 0 | 1 | null;
  banner: boolean;
  starttls: boolean;
  capabilities: boolean;
  sasl: boolean;
  offered: boolean;
  upgraded: boolean;
  tls: boolean;
  completed: boolean;
  version: boolean;
  suite: boolean;
  alert: boolean;
  sslv2: boolean;
  chain: boolean;
  kind: string | null;
  reason: string | null;
}

/** A record with exactly the facts of a shape (values the rules only test for presence are placeholders). */
export function standIn(json: string): ProbeRecord {
  const s = JSON.parse(json) as Shape;
  const on = <T>(b: boolean, v: T) => (b ? v : undefined);
  return {
    status: s.status,
    ...(s.bytes === null ? {} : { bytesReceived: s.bytes }),
    banner: on(s.banner, ''),
    starttls: on(s.starttls, { offered: on(s.offered, true), upgraded: on(s.upgraded, true) }),
    capabilities: on(s.capabilities, {}),
    sasl: on(s.sasl, {}),
    tls: on(s.tls, {
      completed: on(s.completed, true), version: on(s.version, ''), cipherSuite: on(s.suite, {}), alert: on(s.alert, {}),
      sslv2Reply: on(s.sslv2, true), chain: on(s.chain, ['']), error: s.kind === null ? undefined : { kind: s.kind },
    }),
    error: s.reason === null ? undefined : { reason: s.reason },
  } as unknown as ProbeRecord;
}

export interface StartTlsStoreCounts {
  totals: { records: number; internal: number; servers: number };
  /** Scan groups (service, port, the mode of their first record) in order of first sight. */
  groups: Array<{ service: string; port: number; mode: string }>;
  /** Each server's first record per group, grouped by shape. */
  shapes: Array<{ service: string; port: number; shape: string; n: number }>;
}

/** The counts of a store without passive records (a store with them is streamed through consume(): see StartTlsAnalyzer.analyzeStore). */
export async function startTlsCountsFromStore(store: StoreQuery): Promise<StartTlsStoreCounts> {
  const paths = PATHS.map((p) => `'${p}'`).join(', ');
  // Temporary tables: this connection's, never written to the store's file.
  await store.run(`CREATE OR REPLACE TEMP TABLE starttls_facts AS
    SELECT seq, ip, port, service, mode, source = 'passive' AS passive, chain, ${SHAPE} AS shape
    FROM (SELECT *, json_extract(record, [${paths}]) AS p FROM records WHERE status IS DISTINCT FROM 'internal-error')`);
  await store.run(`CREATE OR REPLACE TEMP TABLE starttls_first AS
    SELECT * FROM starttls_facts WHERE passive IS NOT TRUE QUALIFY row_number() OVER (PARTITION BY ip, port, service ORDER BY seq) = 1`);
  const [totals] = await store.all<StartTlsStoreCounts['totals']>(
    `SELECT (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM records WHERE status = 'internal-error') AS internal,
       (SELECT count(*) FROM (SELECT DISTINCT ip, port FROM starttls_facts WHERE passive IS NOT TRUE)) AS servers`,
  );
  return {
    totals: totals!,
    groups: await store.all(`SELECT service, port, arg_min(mode, seq) AS mode FROM starttls_facts WHERE passive IS NOT TRUE GROUP BY service, port ORDER BY min(seq)`),
    shapes: await store.all(`SELECT service, port, shape, count(*) AS n FROM starttls_first GROUP BY ALL ORDER BY min(seq)`),
  };
}

/** Certificate counts per group and over the scan, of the first records whose shape reached TLS. */
export async function certificateCounts(store: StoreQuery, reached: readonly string[]): Promise<Array<{ service: string | null; port: number | null; leafTotal: number; leafUnique: number; interTotal: number; interUnique: number }>> {
  await store.run('CREATE OR REPLACE TEMP TABLE starttls_reached(shape VARCHAR)');
  await store.append('starttls_reached', reached.map((s) => [s]));
  try {
    return await store.all(`WITH certs AS (
        SELECT f.service, f.port, unnest(f.chain) AS fp, generate_subscripts(f.chain, 1) AS i
        FROM starttls_first f JOIN starttls_reached USING (shape) WHERE f.chain IS NOT NULL)
      SELECT service, port, count(fp) FILTER (WHERE i = 1) AS leafTotal, count(DISTINCT fp) FILTER (WHERE i = 1) AS leafUnique,
        count(fp) FILTER (WHERE i > 1) AS interTotal, count(DISTINCT fp) FILTER (WHERE i > 1) AS interUnique
      FROM certs GROUP BY GROUPING SETS ((service, port), ())`);
  } finally {
    await store.run('DROP TABLE IF EXISTS starttls_reached');
    await store.run('DROP TABLE IF EXISTS starttls_first');
    await store.run('DROP TABLE IF EXISTS starttls_facts');
  }
}
