import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Report, StoreQuery } from '@wildtls/core';
import type { Profile } from '../validate/profile-verdict.js';
import { buildReport } from './build-report.js';
import type { PlainSettings } from './service-settings.js';
import { storeGroups } from './store-counts.js';
import { computeVerdicts, createTables, resolveVerdicts, storedRun } from './store-verdicts.js';
import type { VerdictSource } from './verdict-source.js';

export interface StoreAnalysisOptions {
  version: string;
  profile: Profile;
  at?: Date;
  checkHostnames: boolean;
  /** The validator's settings: with the anchors' content, the validation time and the store's records, they key the verdicts. */
  plain: PlainSettings;
  /** Worker threads of the validator: they change no verdict, but the report states them and its validation count (which several workers' partial intermediate pools can change), so stored runs are per worker count. */
  workers: number;
  /** A validator that keeps no verdicts of its own (they go to the verdict table). */
  source: () => VerdictSource;
}

/** What the last store analysis did: whether it reused a verdict set, and how many validations it ran itself. */
export interface StoreRun {
  params: string;
  reused: boolean;
  validations: number;
}

const WORK = ['ca_chain', 'ca_rec', 'ca_counted', 'ca_first', 'ca_cand', 'ca_rv', 'ca_vk'];

/**
 * The ca-practice report of a whole result store: each distinct chain
 * validated once per validity interval, verdicts kept in
 * ca_practice_chain_verdicts under a digest of every parameter they depend
 * on (so a second analysis with the same parameters validates nothing), and
 * the counting in SQL. The same report as CaPracticeAnalyzer's consume/finish
 * on the store's records, for a store without passive records (a store with
 * them is streamed through consume(): CaPracticeAnalyzer.analyzeStore).
 */
export async function analyzeStore(store: StoreQuery, o: StoreAnalysisOptions): Promise<{ report: Report; run: StoreRun }> {
  const [c] = await store.all<Record<string, unknown>>(
    "SELECT count(*) AS records, count(*) FILTER (WHERE status = 'internal-error') AS internal, max(seq) AS max_seq FROM records",
  );
  const records = Number(c?.records ?? 0);
  const settings = JSON.stringify({
    version: o.version,
    ...o.plain,
    roots: rootsDigest(o.plain.rootsFile),
    at: o.at?.toISOString() ?? 'startedAt',
    workers: o.workers,
    // The scan's intermediates complete chains: verdicts hold for these records only.
    records,
    maxSeq: c?.max_seq === null || c?.max_seq === undefined ? null : Number(c.max_seq),
  });
  const params = createHash('sha256').update(settings).digest('hex');
  await createTables(store);
  await workingTables(store, o.at);
  try {
    let stats = await storedRun(store, params);
    const reused = stats !== undefined;
    let validations = 0;
    if (stats) await resolveVerdicts(store, params);
    else {
      const source = o.source();
      try {
        stats = await computeVerdicts(store, params, settings, source);
        validations = stats.validations;
      } finally {
        await source.close();
      }
    }
    const { groups, totals } = await storeGroups(store, params, o.checkHostnames);
    const [s] = await store.all<{ servers: number }>('SELECT count(*) AS servers FROM (SELECT DISTINCT ip, port FROM ca_rec WHERE NOT passive)');
    const report = buildReport({
      version: o.version, profile: o.profile, at: o.at, checkHostnames: o.checkHostnames, groups, totals, passive: [], stats,
      records, servers: Number(s?.servers ?? 0), internalErrors: Number(c?.internal ?? 0),
    });
    return { report, run: { params, reused, validations } };
  } finally {
    for (const t of WORK) await store.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/** The anchors' content (a roots file, or this Node's bundled Mozilla store). */
function rootsDigest(rootsFile: string | undefined): string {
  const h = createHash('sha256');
  if (rootsFile) h.update(readFileSync(rootsFile));
  else for (const pem of rootCertificates) h.update(pem);
  return h.digest('hex');
}

/**
 * The records as the stream path counts them (internal-error records left
 * out; the validation time: --at, else the record's startedAt) and the
 * subsets whose validation time matters: each scan server's first record
 * with a chain per service and port, each chain's first record (its verdict
 * judges servers with several chains). The store holds no passive records
 * (those stores are streamed instead).
 */
async function workingTables(store: StoreQuery, at: Date | undefined): Promise<void> {
  // An unparsable startedAt: the stream path validates at the time it reads the record; here, at this analysis's start.
  const time = at ? `${at.getTime()}::DOUBLE` : `coalesce(epoch_ms(try_cast(json_extract_string(r.record, '$.startedAt') AS TIMESTAMPTZ))::DOUBLE, ${Date.now()}::DOUBLE)`;
  // Chains by a small id: the working tables carry an integer per record, not the list of fingerprints.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_chain AS SELECT row_number() OVER () AS cid, chain
     FROM (SELECT DISTINCT chain FROM records WHERE status IS DISTINCT FROM 'internal-error' AND len(chain) > 0)`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_rec AS SELECT r.seq, r.ip, r.port, r.service, coalesce(r.source = 'passive', false) AS passive, k.cid,
       CASE WHEN r.domain <> '' THEN r.domain END AS domain, ${time} AS vt
     FROM records r LEFT JOIN ca_chain k ON k.chain = r.chain WHERE r.status IS DISTINCT FROM 'internal-error'`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_counted AS SELECT r.seq, r.service, r.port, r.cid, r.domain, r.vt FROM ca_rec r
     JOIN (SELECT min(seq) AS seq FROM ca_rec WHERE NOT passive AND cid IS NOT NULL GROUP BY service, port, ip) USING (seq)`,
  );
  await store.run('CREATE OR REPLACE TEMP TABLE ca_first AS SELECT min(seq) AS seq, cid, arg_min(vt, seq) AS vt FROM ca_rec WHERE cid IS NOT NULL GROUP BY cid');
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ca_cand AS SELECT seq, cid, vt FROM ca_counted
     UNION SELECT seq, cid, vt FROM ca_first`,
  );
}
