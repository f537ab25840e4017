import type { StoreQuery } from '@wildtls/core';
import { peerNameOf } from '../validate/hostname.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import type { SourceStats, VerdictSource } from './verdict-source.js';

/** Derived tables (named after the analysis, as docs/store.md asks), keyed by the validity parameters' digest. */
export const RUNS = 'ca_practice_verdict_runs';
export const VERDICTS = 'ca_practice_chain_verdicts';
export const HOSTS = 'ca_practice_host_checks';

/** Distinct chains per validation batch: bounds what the JS side holds (chains, their DER, their verdicts). */
const PAGE = 1024;
/** A round validates each chain whose candidate times no stored interval covers yet; a verdict covers its own time, so rounds end. */
const MAX_ROUNDS = 10_000;

const HEX = /^[0-9a-f]{64}$/;

export const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Creates the derived tables when missing:
 *   ca_practice_verdict_runs(params, settings, complete, validations, intermediates, anchors, anchor_source, rejected_anchors, workers)
 *     one row per parameter set whose verdicts are complete, with the validator's statistics of the run that made them;
 *   ca_practice_chain_verdicts(params, vid, chain, hash, at_ms, from_ms, until_ms, errors, openssl_code, openssl_depth, flags, leaf_dns, leaf_ips)
 *     one row per distinct chain (records.chain: the certificates' sha256 in wire order) and validity interval:
 *     the verdict holds for validation times in [from_ms, until_ms) (epoch ms, -inf/inf unbounded);
 *   ca_practice_host_checks(params, vid, domain, mismatched)
 *     the host name check of a verdict's leaf against each domain a counted record named.
 */
export async function createTables(store: StoreQuery): Promise<void> {
  await store.run(`CREATE TABLE IF NOT EXISTS ${RUNS}(params VARCHAR, settings VARCHAR, complete BOOLEAN, validations BIGINT, intermediates BIGINT, anchors BIGINT, anchor_source VARCHAR, rejected_anchors BIGINT, workers INTEGER)`);
  await store.run(
    `CREATE TABLE IF NOT EXISTS ${VERDICTS}(params VARCHAR, vid BIGINT, chain VARCHAR[], hash VARCHAR, at_ms DOUBLE, from_ms DOUBLE, until_ms DOUBLE, errors VARCHAR[], openssl_code INTEGER, openssl_depth INTEGER, flags VARCHAR[], leaf_dns VARCHAR[], leaf_ips VARCHAR[])`,
  );
  await store.run(`CREATE TABLE IF NOT EXISTS ${HOSTS}(params VARCHAR, vid BIGINT, domain VARCHAR, mismatched BOOLEAN)`);
}

/** The stored statistics of a complete verdict set, or undefined when there is none for these parameters. */
export async function storedRun(store: StoreQuery, params: string): Promise<SourceStats | undefined> {
  const [r] = await store.all<Record<string, unknown>>(`SELECT * FROM ${RUNS} WHERE params = ${sqlText(params)} AND complete`);
  if (!r) return undefined;
  return { validations: Number(r.validations), intermediates: Number(r.intermediates), anchors: Number(r.anchors), anchorSource: String(r.anchor_source), rejectedAnchors: Number(r.rejected_anchors), workers: Number(r.workers) };
}

/**
 * Validates what the counting needs, each distinct chain once per validity
 * interval, in the order the record stream would first meet them (so the
 * scan's intermediate pool grows as it does there), stores the verdicts,
 * settles the chains a later intermediate completes, checks host names, and
 * marks the run complete. `ca_cand(seq, cid, vt)` (cid: `ca_chain`'s id of records.chain) holds the records whose
 * validation time matters (see store-analysis.ts). Holds one page at a time.
 */
export async function computeVerdicts(store: StoreQuery, params: string, settings: string, source: VerdictSource): Promise<SourceStats> {
  const p = sqlText(params);
  for (const t of [RUNS, VERDICTS, HOSTS]) await store.run(`DELETE FROM ${t} WHERE params = ${p}`);
  let vid = 0;
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`ca-practice: verdict intervals did not cover the records' times after ${MAX_ROUNDS} rounds`);
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ca_todo AS
       WITH vk AS (SELECT k.cid, v.from_ms, v.until_ms FROM ${VERDICTS} v JOIN ca_chain k ON k.chain = v.chain WHERE v.params = ${p})
       SELECT row_number() OVER (ORDER BY min(seq)) AS n, cid, arg_min(vt, seq) AS vt FROM ca_cand c
       WHERE NOT EXISTS (SELECT 1 FROM vk WHERE vk.cid = c.cid AND c.vt >= vk.from_ms AND c.vt < vk.until_ms)
       GROUP BY cid`,
    );
    const [{ todo }] = (await store.all<{ todo: number }>('SELECT count(*)::INTEGER AS todo FROM ca_todo')) as [{ todo: number }];
    if (todo === 0) break;
    for (let from = 0; from < todo; from += PAGE) {
      const page = await store.all<{ chain: string[]; vt: number }>(`SELECT k.chain, t.vt FROM ca_todo t JOIN ca_chain k USING (cid) WHERE t.n > ${from} AND t.n <= ${from + PAGE} ORDER BY t.n`);
      const der = await certificates(store, page.map((r) => r.chain));
      const verdicts = await Promise.all(
        page.map((r) => {
          const b64 = r.chain.map((h) => der.get(h) ?? '');
          return source.verdict(b64, r.vt, ChainService.chainHash(b64));
        }),
      );
      await store.append(VERDICTS, verdicts.map((e, i) => verdictRow(params, vid++, page[i]!.chain, page[i]!.vt, e)));
    }
  }
  await store.run('DROP TABLE IF EXISTS ca_todo');
  await applySettled(store, params, source);
  await resolveVerdicts(store, params);
  await hostChecks(store, params);
  const st = await source.stats();
  await store.append(RUNS, [[params, settings, true, st.validations, st.intermediates, st.anchors, st.anchorSource, st.rejectedAnchors, st.workers]]);
  return st;
}

/** Base64 DER of every certificate the chains name (the store keeps each once, by sha256). */
async function certificates(store: StoreQuery, chains: string[][]): Promise<Map<string, string>> {
  const wanted = new Set<string>();
  for (const c of chains) for (const h of c) if (HEX.test(h)) wanted.add(h);
  const out = new Map<string, string>();
  if (wanted.size === 0) return out;
  const rows = await store.all<{ sha256: string; der: Uint8Array }>(`SELECT sha256, der FROM certificates WHERE sha256 IN (${[...wanted].map(sqlText).join(',')})`);
  for (const r of rows) out.set(r.sha256, Buffer.from(r.der).toString('base64'));
  return out;
}

function verdictRow(params: string, vid: number, chain: string[], at: number, e: ChainEntry): unknown[] {
  return [params, vid, chain, e.hash, at, e.from, e.until, e.errors, e.openssl.code, e.openssl.depth, e.flags, e.leafDns, e.leafIps];
}

/** Chains that found no issuer when first validated, completed by an intermediate seen later: their rows get the settled verdict. */
async function applySettled(store: StoreQuery, params: string, source: VerdictSource): Promise<void> {
  // The validator kept no chains (compact retry state): those it must recheck come from the verdict table.
  const changes = await source.settle(async (hashes) => {
    const rows = await store.all<{ hash: string; chain: string[] }>(`SELECT DISTINCT hash, chain FROM ${VERDICTS} WHERE params = ${sqlText(params)} AND hash IN (${hashes.map(sqlText).join(',')})`);
    const der = await certificates(store, rows.map((r) => r.chain));
    return new Map(rows.map((r) => [r.hash, r.chain.map((h) => der.get(h) ?? '')]));
  });
  if (changes.length === 0) return;
  await store.run(`CREATE OR REPLACE TABLE ca_practice_settled(hash VARCHAR, old_from DOUBLE, old_until DOUBLE, from_ms DOUBLE, until_ms DOUBLE, errors VARCHAR[], openssl_code INTEGER, openssl_depth INTEGER, flags VARCHAR[], leaf_dns VARCHAR[], leaf_ips VARCHAR[])`);
  for (let i = 0; i < changes.length; i += PAGE) {
    const rows = changes.slice(i, i + PAGE).map(({ from, until, entry: e }) => [e.hash, from, until, e.from, e.until, e.errors, e.openssl.code, e.openssl.depth, e.flags, e.leafDns, e.leafIps]);
    await store.append('ca_practice_settled', rows);
  }
  await store.run(
    `UPDATE ${VERDICTS} v SET from_ms = s.from_ms, until_ms = s.until_ms, errors = s.errors, openssl_code = s.openssl_code, openssl_depth = s.openssl_depth, flags = s.flags, leaf_dns = s.leaf_dns, leaf_ips = s.leaf_ips
     FROM ca_practice_settled s WHERE v.params = ${sqlText(params)} AND v.hash = s.hash AND v.from_ms = s.old_from AND v.until_ms = s.old_until`,
  );
  await store.run('DROP TABLE ca_practice_settled');
}

/** The host name check (the stream path's own function) for each distinct (verdict, domain) of the counted records, a page at a time. */
async function hostChecks(store: StoreQuery, params: string): Promise<void> {
  const p = sqlText(params);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_todo AS SELECT row_number() OVER () AS n, vid, domain FROM (SELECT DISTINCT r.vid, c.domain FROM ca_counted c JOIN ca_rv r USING (seq) WHERE c.domain IS NOT NULL)`,
  );
  const [{ todo }] = (await store.all<{ todo: number }>('SELECT count(*)::INTEGER AS todo FROM ca_todo')) as [{ todo: number }];
  for (let from = 0; from < todo; from += PAGE) {
    const page = await store.all<{ vid: number; domain: string; leaf_dns: string[]; leaf_ips: string[] }>(
      `SELECT t.vid, t.domain, v.leaf_dns, v.leaf_ips FROM ca_todo t JOIN ${VERDICTS} v ON v.params = ${p} AND v.vid = t.vid WHERE t.n > ${from} AND t.n <= ${from + PAGE}`,
    );
    const rows = page.map((r) => {
      const e = { leafDns: r.leaf_dns, leafIps: r.leaf_ips } as ChainEntry;
      return [params, r.vid, r.domain, !ChainService.hostMatches(e, peerNameOf(r.domain))];
    });
    if (rows.length > 0) await store.append(HOSTS, rows);
  }
  await store.run('DROP TABLE IF EXISTS ca_todo');
}

/**
 * ca_rv(seq, vid): for each record whose time matters (ca_cand), the verdict
 * whose interval holds its time; were two intervals of a chain to overlap (a
 * chain settled onto another path), the first stored wins, as the record
 * stream's cache answers with the first entry that holds.
 */
export async function resolveVerdicts(store: StoreQuery, params: string): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_vk AS SELECT v.vid, k.cid, v.from_ms, v.until_ms FROM ${VERDICTS} v JOIN ca_chain k ON k.chain = v.chain WHERE v.params = ${sqlText(params)}`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_rv AS SELECT c.seq, min(vk.vid) AS vid FROM ca_cand c
     JOIN ca_vk vk ON vk.cid = c.cid AND c.vt >= vk.from_ms AND c.vt < vk.until_ms GROUP BY c.seq`,
  );
}
