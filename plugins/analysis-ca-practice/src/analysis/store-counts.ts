import type { StoreQuery } from '@wildtls/core';
import type { PracticeFlag } from '../practice/practice-flags.js';
import type { ValidationError } from '../validate/errors.js';
import type { ChainTotals, GroupView, TallyCount, Verdict } from './table-helpers.js';
import { VERDICTS, HOSTS, sqlText } from './store-verdicts.js';

type Row = Record<string, unknown>;

const n = (v: unknown) => Number(v ?? 0);
const byGroup = (a: { service: string; port: number }, b: { service: string; port: number }) => a.service.localeCompare(b.service) || a.port - b.port;
const gk = (r: Row) => `${String(r.service)}|${n(r.port)}`;

/**
 * The counting of CaPracticeAnalyzer, in SQL over the working tables
 * store-analysis.ts makes (ca_rec: the records counted; ca_counted: each
 * scan server's first record with a chain per service and port; ca_rv: the
 * verdict of each record whose time matters) and the verdict table. Results
 * are aggregates (per group, per verdict content), never per server.
 */
export async function storeGroups(store: StoreQuery, params: string, checkHostnames: boolean): Promise<{ groups: GroupView[]; totals: ChainTotals }> {
  const p = sqlText(params);
  // The counted servers with their verdict and host name result.
  const cv = `(SELECT c.service, c.port, c.seq, c.cid, ${checkHostnames ? 'c.domain' : 'NULL::VARCHAR AS domain'}, v.vid, v.errors, v.openssl_code, v.flags, h.mismatched
    FROM ca_counted c JOIN ca_rv r USING (seq) JOIN ${VERDICTS} v ON v.params = ${p} AND v.vid = r.vid
    LEFT JOIN ${HOSTS} h ON h.params = ${p} AND h.vid = v.vid AND h.domain = c.domain)`;
  const seen = await store.all(
    `SELECT service, port, count(*) FILTER (WHERE has_chain) AS servers, count(*) FILTER (WHERE NOT has_chain) AS no_chain
     FROM (SELECT service, port, ip, bool_or(cid IS NOT NULL) AS has_chain FROM ca_rec WHERE NOT passive GROUP BY service, port, ip) GROUP BY service, port`,
  );
  const tally = await store.all(
    `SELECT service, port, errors, openssl_code, flags, count(*) AS servers, count(domain) AS named, count(*) FILTER (WHERE domain IS NOT NULL AND mismatched) AS mismatched
     FROM ${cv} GROUP BY service, port, errors, openssl_code, flags`,
  );
  // Distinct chains with a valid verdict among each group's servers, and those whose leaf a store root issued.
  const leafSql = (by: string) =>
    `SELECT ${by ? `${by},` : ''} count(DISTINCT cid) FILTER (WHERE len(errors) = 0) AS verifiable,
       count(DISTINCT cid) FILTER (WHERE len(errors) = 0 AND list_contains(flags, 'leaf-issued-by-root')) AS direct FROM ${cv} ${by ? `GROUP BY ${by}` : ''}`;
  const leaf = await store.all(leafSql('service, port'));
  const [leafAll] = await store.all(leafSql(''));
  // Servers with several distinct chains in a group; each chain judged by its first verdict (that of its first record).
  const multi = await store.all(
    `WITH firstv AS (SELECT f.cid, len(v.errors) = 0 AS valid FROM ca_first f JOIN ca_rv r USING (seq) JOIN ${VERDICTS} v ON v.params = ${p} AND v.vid = r.vid),
     s AS (SELECT service, port, ip, count(*) AS chains, bool_and(valid) AS all_valid, bool_and(NOT valid) AS all_invalid
       FROM (SELECT DISTINCT service, port, ip, cid FROM ca_rec WHERE NOT passive AND cid IS NOT NULL) JOIN firstv USING (cid) GROUP BY service, port, ip)
     SELECT service, port, count(*) AS multi, count(*) FILTER (WHERE all_valid) AS all_valid, count(*) FILTER (WHERE all_invalid) AS all_invalid,
       count(*) FILTER (WHERE NOT all_valid AND NOT all_invalid) AS mixed FROM s WHERE chains > 1 GROUP BY service, port`,
  );
  // Per distinct chain: the verdict the stream's per-chain table keeps (the last group in report order, the last verdict met there).
  const shapes = await store.all(
    `WITH per AS (SELECT service, port, cid, vid, min(seq) AS fs FROM ${cv} GROUP BY service, port, cid, vid),
     pick AS (SELECT vid FROM per QUALIFY row_number() OVER (PARTITION BY cid ORDER BY service DESC, port DESC, fs DESC) = 1)
     SELECT v.errors, v.flags, count(*) AS chains FROM pick JOIN ${VERDICTS} v ON v.params = ${p} AND v.vid = pick.vid GROUP BY v.errors, v.flags`,
  );

  const views = new Map<string, GroupView>();
  for (const r of seen) {
    views.set(gk(r), {
      service: String(r.service), port: n(r.port), servers: n(r.servers), noChain: n(r.no_chain), tally: new Map<Verdict, TallyCount>(),
      leafByRoot: { verifiable: 0, direct: 0 }, multi: { multi: 0, allValid: 0, allInvalid: 0, mixed: 0 },
    });
  }
  for (const r of tally) {
    const verdict: Verdict = { errors: r.errors as ValidationError[], openssl: { code: n(r.openssl_code), depth: 0 }, flags: r.flags as PracticeFlag[] };
    views.get(gk(r))!.tally.set(verdict, { servers: n(r.servers), named: n(r.named), mismatched: n(r.mismatched) });
  }
  for (const r of leaf) views.get(gk(r))!.leafByRoot = { verifiable: n(r.verifiable), direct: n(r.direct) };
  for (const r of multi) views.get(gk(r))!.multi = { multi: n(r.multi), allValid: n(r.all_valid), allInvalid: n(r.all_invalid), mixed: n(r.mixed) };
  const totals: ChainTotals = {
    chains: shapes.reduce((s, r) => s + n(r.chains), 0),
    shapes: shapes.map((r) => ({ errors: r.errors as ValidationError[], flags: r.flags as PracticeFlag[], chains: n(r.chains) })),
    leafByRoot: { verifiable: n(leafAll?.verifiable), direct: n(leafAll?.direct) },
  };
  return { groups: [...views.values()].sort(byGroup), totals };
}
