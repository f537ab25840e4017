import type { ProbeRecord, StoreQuery } from '@wildtls/core';

/**
 * crypto counted in SQL on a result store (docs/analyses/crypto.md, "On a
 * store"). DuckDB reads, once per record, what CryptoAnalyzer.consume reads
 * of it (whether TLS was reached, the version, the suite's name and id, the
 * key exchange's kind, group and bits, what tells that the first flight was
 * seen, the staple flag) and picks each server's first record with TLS
 * reached per service and port; each distinct combination of facts comes
 * back once with its count, as a stand-in tls object holding exactly those
 * facts, and goes through the same CryptoCounts and classifySuite. Values
 * the rules test by type or by value come back as their JSON text and are
 * parsed in JavaScript, so an odd type is read as the stream reads it.
 * Stapled responses are judged row by row, with the leaf's DER from the
 * certificates table.
 */

/** The parts of a record read, its JSON parsed once. */
const PATHS = [
  '$.tls.completed', '$.tls.version', '$.tls.cipherSuite', '$.tls.cipherSuite.name', '$.tls.cipherSuite.id',
  '$.tls.keyExchange.kind', '$.tls.keyExchange.group', '$.tls.keyExchange.bits', '$.tls.notCompletedReason',
  '$.tls.chain', '$.tls.ocspStapled',
].map((p) => `'${p}'`).join(', ');

const isTrue = (v: string) => `coalesce(${v}::VARCHAR = 'true', false)`;
/** JSON text of a value when it is a string (the rules test its type or compare it to strings), else NULL. */
const str = (v: string) => `CASE WHEN json_type(${v}) = 'VARCHAR' THEN ${v}::VARCHAR END`;

/**
 * Per record (not our own bug). `version` and `suite` keep "present" apart
 * from "absent" (tlsReached tests `!== undefined`, so a JSON null is
 * present); id, group and bits are the JSON text of any value (the rules
 * call Number.isInteger and String() on them).
 */
const FACTS = `SELECT seq, ip, port, service,
    ${isTrue('p[1]')} AS completed, p[2]::VARCHAR AS version, p[3] IS NOT NULL AS suite,
    ${str('p[4]')} AS name, p[5]::VARCHAR AS id, ${str('p[6]')} AS kind, p[7]::VARCHAR AS grp, p[8]::VARCHAR AS bits,
    json_type(p[9]) = 'VARCHAR' AS ncr, coalesce(json_type(p[10]) = 'ARRAY' AND json_array_length(p[10]) > 0, false) AS chain,
    ${isTrue('p[11]')} AS stapled
  FROM (SELECT seq, ip, port, service, json_extract(record, [${PATHS}]) AS p FROM records WHERE status IS DISTINCT FROM 'internal-error')`;

/**
 * core's serverKey(ip, port) as SQL text: a dotted-quad IPv4 address (no
 * leading zeros) with a port of 0-65535 packed into a number, anything else
 * `ip|port`: one key per (ip, port) pair, as the stream counts.
 */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const SERVER_KEY = `CASE WHEN port BETWEEN 0 AND 65535 AND regexp_full_match(ip, '(${OCTET}\\.){3}${OCTET}')
    THEN (list_reduce(list_transform(string_split(ip, '.'), lambda x: x::BIGINT), lambda a, b: a * 256 + b) * 65536 + port)::VARCHAR
    ELSE ip || '|' || port END`;

const FACT_COLUMNS = 'completed, version, suite, name, id, kind, grp, bits, ncr, chain, stapled';

/** One distinct combination of facts within a service and port, and how many records (or servers) have it. */
export interface FactRow {
  service: string;
  port: number;
  completed: boolean;
  version: string | null;
  suite: boolean;
  name: string | null;
  id: string | null;
  kind: string | null;
  grp: string | null;
  bits: string | null;
  ncr: boolean;
  chain: boolean;
  stapled: boolean;
  n: number;
}

/** A stapling server's first record with TLS reached: what judging its response reads. */
export interface StapleRow {
  service: string;
  port: number;
  startedAt: string | null;
  response: string | null;
  /** The record's tls.chain as its JSON kept it (fingerprints, or a hostile chain as it came). */
  kept: string | null;
  chain: string[] | null;
  leafDer: Uint8Array | null;
}

export interface CryptoStoreCounts {
  totals: { records: number; internal: number; servers: number };
  /** Service and port of the records with TLS reached, in order of first sight. */
  groups: Array<{ service: string; port: number }>;
  /** Every record with TLS reached, by facts. */
  connections: FactRow[];
  /** Each server's first record with TLS reached per service and port, by facts. */
  servers: FactRow[];
  /** The stapling servers' first records (the first flight seen), in write order. */
  staples: StapleRow[];
}

const parse = (text: string | null): unknown => (text === null ? undefined : JSON.parse(text));

/** A tls object with exactly the facts of a row (values the rules only test for presence or type are placeholders). */
export function standInTls(x: FactRow): NonNullable<ProbeRecord['tls']> {
  const on = <T>(b: boolean, v: T) => (b ? v : undefined);
  return {
    completed: on(x.completed, true),
    ...(x.version === null ? {} : { version: parse(x.version) }),
    ...(x.suite ? { cipherSuite: { name: parse(x.name), id: parse(x.id) } } : {}),
    keyExchange: { kind: parse(x.kind), group: parse(x.grp), bits: parse(x.bits) },
    notCompletedReason: on(x.ncr, ''),
    chain: on(x.chain, ['']),
    ocspStapled: on(x.stapled, true),
  } as unknown as NonNullable<ProbeRecord['tls']>;
}

/** The record the stream would judge a staple on: its startedAt, response and chain (the leaf restored as restoreRecord does). */
export function stapleRecord(x: StapleRow): ProbeRecord {
  const kept = parse(x.kept);
  const col = x.chain;
  const fingerprints = Array.isArray(col) && Array.isArray(kept) && kept.length === col.length && kept.every((e, i) => e === col[i]);
  const chain = fingerprints && x.leafDer ? [Buffer.from(x.leafDer).toString('base64')] : kept;
  return { startedAt: parse(x.startedAt), tls: { ocspResponse: parse(x.response), chain } } as unknown as ProbeRecord;
}

/** The counts of a store without passive records (a store with them is streamed through consume(): see CryptoAnalyzer.analyzeStore). */
export async function cryptoCountsFromStore(store: StoreQuery): Promise<CryptoStoreCounts> {
  // Temporary tables: this connection's, never written to the store's file.
  await store.run(`CREATE OR REPLACE TEMP TABLE crypto_facts AS
    SELECT *, completed OR (version IS NOT NULL AND suite) AS reached, completed OR (ncr AND chain) AS flight FROM (${FACTS})`);
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE crypto_first AS
      SELECT * FROM crypto_facts WHERE reached QUALIFY row_number() OVER (PARTITION BY ip, port, service ORDER BY seq) = 1`);
    const [totals] = await store.all<CryptoStoreCounts['totals']>(
      `SELECT count(*) AS records, count(*) FILTER (WHERE status = 'internal-error') AS internal,
         (SELECT count(DISTINCT ${SERVER_KEY}) FROM crypto_facts) AS servers
       FROM records`,
    );
    const byFacts = (table: string) => store.all<FactRow>(`SELECT service, port, ${FACT_COLUMNS}, count(*) AS n FROM ${table} WHERE reached GROUP BY ALL ORDER BY min(seq)`);
    return {
      totals: totals!,
      groups: await store.all(`SELECT service, port FROM crypto_facts WHERE reached GROUP BY service, port ORDER BY min(seq)`),
      connections: await byFacts('crypto_facts'),
      servers: await byFacts('crypto_first'),
      staples: await store.all<StapleRow>(`SELECT f.service, f.port, json_extract(r.record, '$.startedAt')::VARCHAR AS startedAt,
          json_extract(r.record, '$.tls.ocspResponse')::VARCHAR AS response, json_extract(r.record, '$.tls.chain')::VARCHAR AS kept,
          r.chain, c.der AS leafDer
        FROM crypto_first f JOIN records r USING (seq) LEFT JOIN certificates c ON c.sha256 = r.chain[1]
        WHERE f.flight AND f.stapled ORDER BY f.seq`),
    };
  } finally {
    await store.run('DROP TABLE IF EXISTS crypto_first');
    await store.run('DROP TABLE IF EXISTS crypto_facts');
  }
}
