import { createHash } from 'node:crypto';
import type { Report, StoreQuery } from '@wildtls/core';
import type { ChainClass } from '@wildtls/analysis-ca-practice';
import { leafFields } from './leaf-fields.js';
import { MAX_GROUPS } from './ip-pairs.js';
import { ALL, addTo, emptyHists, type ItemHists, type RankedCert, type ReuseAggregates } from './reuse-aggregates.js';
import { reuseReport, type ReuseCounts } from './reuse-report.js';
import type { ReuseAnalyzerOptions } from './reuse-analyzer.js';

/**
 * Reuse counted in SQL on a result store (docs/analyses/reuse.md, "On a
 * store"): the distinct (certificate, IP, service, port) sets live in DuckDB;
 * JavaScript sees each distinct leaf once (its key and subject, cached in
 * reuse_leaf_facts), each distinct chain once (its class, in
 * reuse_chain_class), and then only histograms and the short rankings.
 * Same counting rules as ReuseAnalyzer, same report.
 */

/** The records reuse counts: scan records (not passive) that are not our own bug, with their leaf. */
const SCAN = `(SELECT seq, ip, port, service, record, chain, list_filter(chain, lambda c: c IS NOT NULL)[1] AS leaf
  FROM records WHERE status IS DISTINCT FROM 'internal-error' AND source IS DISTINCT FROM 'passive')`;

/** A record's distinct session-ticket key names (32 lower-case hex digits; anything else left out, as the stream path does). */
const TICKET_NAMES = `list_distinct(list_filter(list_transform(
  CASE WHEN json_type(record, '$.tls.sessionTickets') = 'ARRAY' THEN json_extract(record, '$.tls.sessionTickets[*].keyName') ELSE [] END,
  lambda k: CASE WHEN json_type(k) = 'VARCHAR' THEN json_extract_string(k, '$') END), lambda k: regexp_full_match(k, '[0-9a-f]{32}')))`;

const BATCH = 2048;

interface Row {
  [k: string]: unknown;
}

export async function reuseFromStore(store: StoreQuery, opts: ReuseAnalyzerOptions): Promise<Report | undefined> {
  const [totals] = await store.all<{ records: number; internal: number; passive: number }>(
    `SELECT count(*) AS records, count(*) FILTER (WHERE status = 'internal-error') AS internal,
       count(*) FILTER (WHERE status IS DISTINCT FROM 'internal-error' AND source = 'passive') AS passive FROM records`,
  );
  // Groups (service and port) in order of first appearance, as the stream path numbers them.
  const groupRows = await store.all<{ service: string; port: number }>(
    `SELECT service, port FROM ${SCAN} WHERE leaf IS NOT NULL OR len(${TICKET_NAMES}) > 0 GROUP BY service, port ORDER BY min(seq)`,
  );
  // Beyond MAX_GROUPS - 1 service-port pairs the stream path merges lines: the caller streams the records instead.
  if (groupRows.length >= MAX_GROUPS) return undefined;
  const services: string[] = [];
  const serviceIndex = new Map<string, number>();
  const groups = groupRows.map((g) => {
    let s = serviceIndex.get(g.service);
    if (s === undefined) serviceIndex.set(g.service, (s = services.push(g.service) - 1));
    return { service: s, port: g.port };
  });
  const groupIndex = new Map(groupRows.map((g, i) => [`${g.service}\t${g.port}`, i]));

  await leafFacts(store);
  await classifyChains(store, opts);

  // Leaf class, and the chains the stream path would classify: a leaf's chains in order of first sight, up to its first valid one.
  await store.run(`CREATE OR REPLACE TABLE reuse_leaf_class AS
    WITH v AS (SELECT c.leaf, c.first_seq, k.class FROM reuse_chains c JOIN reuse_chain_class k USING (first_seq)),
         f AS (SELECT leaf, min(first_seq) FILTER (WHERE class = 'valid') AS first_valid FROM v GROUP BY leaf)
    SELECT leaf,
      CASE WHEN bool_or(class = 'valid') THEN 'valid' WHEN bool_or(class = 'self-signed') THEN 'self-signed' ELSE 'invalid' END AS cls,
      count(*) FILTER (WHERE first_valid IS NULL OR first_seq <= first_valid) AS classified,
      count(*) FILTER (WHERE class = 'error' AND (first_valid IS NULL OR first_seq <= first_valid)) AS errors
    FROM v JOIN f USING (leaf) GROUP BY leaf`);

  const [c] = await store.all<{ servers: number; withCertificate: number; certificates: number; keys: number; unparsable: number; ticketKeys: number; classified: number; errors: number }>(
    `SELECT (SELECT count(*) FROM (SELECT DISTINCT ip, port FROM ${SCAN})) AS servers,
       (SELECT count(*) FROM ${SCAN} WHERE leaf IS NOT NULL) AS withCertificate,
       (SELECT count(*) FROM reuse_leaf_class) AS certificates,
       (SELECT count(DISTINCT f.key_fp) FROM reuse_leaf_facts f JOIN reuse_leaf_class USING (leaf)) AS keys,
       (SELECT count(*) FROM reuse_leaf_facts f JOIN reuse_leaf_class USING (leaf) WHERE f.key_fp IS NULL) AS unparsable,
       (SELECT count(DISTINCT name) FROM (SELECT unnest(${TICKET_NAMES}) AS name FROM ${SCAN})) AS ticketKeys,
       (SELECT coalesce(sum(classified), 0) FROM reuse_leaf_class) AS classified,
       (SELECT coalesce(sum(errors), 0) FROM reuse_leaf_class) AS errors`,
  );

  const pairs = {
    certs: `SELECT DISTINCT s.leaf AS item, s.ip, s.service, s.port FROM ${SCAN} s WHERE s.leaf IS NOT NULL`,
    keys: `SELECT DISTINCT f.key_fp AS item, s.ip, s.service, s.port FROM ${SCAN} s JOIN reuse_leaf_facts f ON f.leaf = s.leaf WHERE f.key_fp IS NOT NULL`,
    tickets: `SELECT DISTINCT name AS item, ip, service, port FROM (SELECT unnest(${TICKET_NAMES}) AS name, ip, service, port FROM ${SCAN})`,
  };
  const line = (r: Row): [number, number] => {
    if (r.level === 3) return [ALL, ALL];
    const s = serviceIndex.get(r.service as string)!;
    return r.level === 1 ? [ALL, s] : [groupIndex.get(`${r.service as string}\t${r.port as number}`)!, s];
  };
  const histsOf = async (sql: string, split?: (r: Row) => ItemHists[]): Promise<ItemHists> => {
    const h = emptyHists();
    const rows = await store.all(`WITH occ AS (${occurrences(sql)}) SELECT level, service, port, x, ${split ? 'cls' : 'NULL AS cls'}, count(*) AS n
      FROM occ ${split ? 'JOIN reuse_leaf_class l ON l.leaf = occ.item' : ''} GROUP BY ALL`);
    for (const r of rows) {
      const [g, s] = line(r);
      for (const target of split ? split(r) : [h]) {
        // level 0: one service and port; 1: one service, any port; 3: everything.
        if (r.level === 0) addTo(target.byLine, g, r.x as number, r.n as number);
        else if (r.level === 1) addTo(target.byService, s, r.x as number, r.n as number);
        else {
          addTo(target.byLine, ALL, r.x as number, r.n as number);
          addTo(target.byService, ALL, r.x as number, r.n as number);
        }
      }
    }
    return h;
  };
  const certs = emptyHists();
  const validCerts = emptyHists();
  const selfSignedCerts = emptyHists();
  await histsOf(pairs.certs, (r) => (r.cls === 'valid' ? [certs, validCerts] : r.cls === 'self-signed' ? [certs, selfSignedCerts] : [certs]));
  const keys = await histsOf(pairs.keys);
  const ticketKeys = await histsOf(pairs.tickets);

  // Keys in more than one certificate, per service and over all.
  const keysInSeveralCerts = new Map<number, number>();
  for (const r of await store.all<{ service: string | null; n: number }>(
    `WITH multi AS (SELECT f.key_fp FROM reuse_leaf_facts f JOIN reuse_leaf_class USING (leaf) WHERE f.key_fp IS NOT NULL GROUP BY f.key_fp HAVING count(*) > 1)
     SELECT service, count(DISTINCT f.key_fp) AS n FROM ${SCAN} s JOIN reuse_leaf_facts f ON f.leaf = s.leaf JOIN multi USING (key_fp)
     GROUP BY GROUPING SETS ((service), ())`,
  )) keysInSeveralCerts.set(r.service === null ? ALL : serviceIndex.get(r.service)!, r.n);

  const aggregates: ReuseAggregates = {
    services, groups, certs, validCerts, selfSignedCerts, keys, ticketKeys, keysInSeveralCerts,
    ...(await rankings(store, pairs.certs, serviceIndex, opts)),
  };
  const counts: ReuseCounts = {
    records: totals!.records, internalErrors: totals!.internal, passive: totals!.passive, servers: c!.servers, withCertificate: c!.withCertificate,
    certificates: c!.certificates, keys: c!.keys, ticketKeys: c!.ticketKeys, chainsClassified: c!.classified,
    unparsable: c!.unparsable, classifierErrors: c!.errors, groupsShared: false,
  };
  return reuseReport(opts, aggregates, counts);
}

/** Distinct IPs per item at three levels: service and port (0), service (1), everything (3). */
function occurrences(pairs: string): string {
  return `SELECT item, service, port, GROUPING(service, port) AS level, count(DISTINCT ip) AS x
    FROM (${pairs}) GROUP BY GROUPING SETS ((item, service, port), (item, service), (item))`;
}

/** Table VI per service and overall, and the most reused certificates that are not valid. */
async function rankings(store: StoreQuery, certPairs: string, serviceIndex: Map<string, number>, opts: ReuseAnalyzerOptions): Promise<Pick<ReuseAggregates, 'mostReused' | 'mostReusedAll' | 'topInvalid'>> {
  const top = opts.topReused ?? 10;
  const rows = await store.all(`WITH occ AS (${occurrences(certPairs)}),
      svc AS (SELECT item, list(DISTINCT service) AS services FROM occ WHERE level = 1 GROUP BY item),
      ranked AS (
        SELECT 'service' AS kind, service, x, item FROM occ WHERE level = 1 QUALIFY row_number() OVER (PARTITION BY service ORDER BY x DESC, item) <= ${top}
        UNION ALL SELECT 'all', NULL, x, item FROM (SELECT x, item FROM occ WHERE level = 3 ORDER BY x DESC, item LIMIT ${top})
        UNION ALL SELECT 'invalid', NULL, x, item FROM (SELECT x, item FROM occ JOIN reuse_leaf_class l ON l.leaf = occ.item WHERE level = 3 AND l.cls <> 'valid' ORDER BY x DESC, item LIMIT ${opts.topInvalid}))
    SELECT r.kind, r.service, r.x, r.item, l.cls, f.subject, f.cn, f.o, svc.services
    FROM ranked r JOIN reuse_leaf_class l ON l.leaf = r.item JOIN reuse_leaf_facts f ON f.leaf = r.item JOIN svc ON svc.item = r.item
    ORDER BY r.kind, r.service, r.x DESC, r.item`);
  const mostReused = new Map<number, RankedCert[]>();
  const mostReusedAll: RankedCert[] = [];
  const topInvalid: RankedCert[] = [];
  for (const r of rows) {
    const cert: RankedCert = {
      ips: r.x as number, fingerprint: r.item as string, cls: r.cls as ChainClass,
      subject: (r.subject as string | null) ?? undefined, cn: (r.cn as string | null) ?? undefined, o: (r.o as string | null) ?? undefined,
      services: (r.services as string[]).sort(),
    };
    if (r.kind === 'all') mostReusedAll.push(cert);
    else if (r.kind === 'invalid') topInvalid.push(cert);
    else {
      const s = serviceIndex.get(r.service as string)!;
      let list = mostReused.get(s);
      if (!list) mostReused.set(s, (list = []));
      list.push(cert);
    }
  }
  return { mostReused, mostReusedAll, topInvalid };
}

/**
 * reuse_leaf_facts(leaf, key_fp, subject, cn, o): what reuse reads of each
 * distinct end-host certificate, read once with the stream path's parser
 * (key_fp NULL: unparsable). Kept in the store: a later run reads only leaves
 * it has not seen.
 */
async function leafFacts(store: StoreQuery): Promise<void> {
  await store.run('CREATE TABLE IF NOT EXISTS reuse_leaf_facts(leaf VARCHAR PRIMARY KEY, key_fp VARCHAR, subject VARCHAR, cn VARCHAR, o VARCHAR)');
  let batch: unknown[][] = [];
  for await (const r of store.rows<{ leaf: string; der: Uint8Array | null }>(
    `SELECT l.leaf, c.der FROM (SELECT DISTINCT leaf FROM ${SCAN} WHERE leaf IS NOT NULL) l
     LEFT JOIN certificates c ON c.sha256 = l.leaf ANTI JOIN reuse_leaf_facts f ON f.leaf = l.leaf`,
  )) {
    let row: unknown[] = [r.leaf, null, null, null, null];
    try {
      const f = leafFields(r.der ?? new Uint8Array(0));
      row = [r.leaf, createHash('sha256').update(f.spki).digest('hex'), f.subject, f.cn ?? null, f.o ?? null];
    } catch {
      // unparsable: counted as an invalid certificate with no key, as the stream path does
    }
    batch.push(row);
    if (batch.length >= BATCH) {
      await store.append('reuse_leaf_facts', batch);
      batch = [];
    }
  }
  if (batch.length) await store.append('reuse_leaf_facts', batch);
}

/**
 * reuse_chains(first_seq, leaf, chain) and reuse_chain_class(first_seq,
 * class): each distinct chain classified once, at the scan time of its first
 * record (or opts.at); 'error' when the validator failed.
 */
async function classifyChains(store: StoreQuery, opts: ReuseAnalyzerOptions): Promise<void> {
  await store.run(`CREATE OR REPLACE TABLE reuse_chains AS
    SELECT min(seq) AS first_seq, arg_min(leaf, seq) AS leaf, arg_min(json_extract_string(record, '$.startedAt'), seq) AS started, chain
    FROM ${SCAN} WHERE leaf IS NOT NULL GROUP BY chain`);
  await store.run('CREATE OR REPLACE TABLE reuse_chain_class(first_seq BIGINT, class VARCHAR)');
  const classifier = opts.classifier;
  // Each distinct chain is asked once and nothing settles reuse's verdicts: the validator keeps none of them.
  const classify = classifier.classifyOnce ? classifier.classifyOnce.bind(classifier) : classifier.classify.bind(classifier);
  const pending = new Set<Promise<void>>();
  let batch: unknown[][] = [];
  const flushBatch = async () => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    await store.append('reuse_chain_class', b);
  };
  for await (const r of chainsWithDers(store)) {
    const started = Date.parse(r.started ?? '');
    const at = opts.at ?? new Date(Number.isNaN(started) ? Date.now() : started);
    const done = (v: ChainClass | 'error') => void batch.push([r.first_seq, v]);
    let verdict: ChainClass | Promise<ChainClass>;
    try {
      verdict = classify(r.ders.map((d) => Buffer.from(d)), at);
    } catch {
      done('error');
      continue;
    }
    if (!(verdict instanceof Promise)) done(verdict);
    else {
      const p: Promise<void> = verdict.then(done, () => done('error')).finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= (opts.maxPending ?? 4096)) {
        classifier.flush?.();
        await Promise.race(pending);
      }
    }
    if (batch.length >= BATCH) await flushBatch();
  }
  classifier.flush?.();
  await Promise.all(pending);
  await flushBatch();
  if (opts.ownsClassifier) await classifier.close?.();
}

/**
 * Each distinct chain with its certificates' DER, one chain at a time: the
 * rows come one certificate each, sorted (a sort DuckDB can spill), and are
 * put together here; gathering the lists in SQL instead held every chain's
 * DERs in one hash table (0.7 GiB at 100,000 chains).
 */
async function* chainsWithDers(store: StoreQuery): AsyncGenerator<{ first_seq: number; started: string | null; ders: Uint8Array[] }> {
  let current: { first_seq: number; started: string | null; ders: Uint8Array[] } | undefined;
  for await (const r of store.rows<{ first_seq: number; started: string | null; der: Uint8Array }>(
    `SELECT c.first_seq, c.started, k.der
     FROM reuse_chains c, LATERAL (SELECT unnest(c.chain) AS sha, generate_subscripts(c.chain, 1) AS i) u
     JOIN certificates k ON k.sha256 = u.sha ORDER BY c.first_seq, u.i`,
  )) {
    if (current?.first_seq !== r.first_seq) {
      if (current) yield current;
      current = { first_seq: r.first_seq, started: r.started, ders: [] };
    }
    current.ders.push(r.der);
  }
  if (current) yield current;
}
