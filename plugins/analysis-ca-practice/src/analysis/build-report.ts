import type { Report, ReportTable } from '@wildtls/core';
import type { Profile } from '../validate/profile-verdict.js';
import { PASSIVE_CHAINS_NOTE, passiveTables, type PassiveView } from './passive-chains.js';
import { buildTables } from './report-tables.js';
import type { ChainTotals, GroupView } from './table-helpers.js';
import { validityFigures, validityHeadline } from './validity-figures.js';
import type { SourceStats } from './verdict-source.js';

/** Everything the report is made of, counted by the record stream (CaPracticeAnalyzer) or in SQL over a store (analyzeStore). */
export interface ReportParts {
  version: string;
  profile: Profile;
  at?: Date;
  checkHostnames: boolean;
  /** Sorted by service, then port. */
  groups: GroupView[];
  totals: ChainTotals;
  passive: PassiveView[];
  /** When the records held passive ones: the exclusion rules' table and note (core's PassiveExclusions). */
  passiveExclusions?: { table: ReportTable; note: string };
  stats: SourceStats;
  records: number;
  servers: number;
  internalErrors: number;
}

/** The ca-practice report: one layout whoever counted. */
export function buildReport(p: ReportParts): Report {
  const st = p.stats;
  const hostnamesInClasses = p.profile !== 'openssl' && p.checkHostnames;
  const tables = buildTables(p.groups, p.totals, { profile: p.profile, hostnamesInClasses, checkHostnames: p.checkHostnames });
  const notes = [
    `Profile: ${p.profile}${p.profile === 'openssl' ? " (the study's method: valid means `openssl verify -auth_level 1 -purpose sslserver` against the trust anchors says OK; SHA-1 counts as 80 bits, as OpenSSL 1.1 counted it; no host name check)" : ''}.`,
    `Trust anchors: ${st.anchorSource} (${st.anchors} certificates${st.rejectedAnchors ? `, ${st.rejectedAnchors} unparsable skipped` : ''}).`,
    `Validation time: ${p.at ? p.at.toISOString() : "each record's startedAt"}.`,
    "Per-server tables count each server (ip:port) once per service and port, by the first record that carried a certificate chain (completed handshake or not); shares are of those servers. The validity table's classes (Fig. 4 under the openssl profile) overlap (a chain can be expired and self-signed): its shares sum past 100%. Fig. 5 counts each server once, by OpenSSL's first error.",
    p.checkHostnames
      ? `Host names are checked only for records that carry a domain, against subjectAltName dNSName/iPAddress entries (no subject CN fallback)${hostnamesInClasses ? ', and counted as the class hostname-mismatch' : '; under the openssl profile they are not a validity class, see the hostnames table'}.`
      : 'Host name checks are off (checkHostnames: false).',
    `missing-intermediate: no path from the certificates sent, but one using an intermediate seen elsewhere in the scan (${st.intermediates} distinct intermediates seen).`,
    `Distinct chains validated once each: ${st.validations} validations${st.workers ? ` on ${st.workers} worker thread${st.workers > 1 ? 's' : ''}` : ''}.`,
    `Records left out: ${p.internalErrors} with status internal-error (a wildtls bug, not the server's doing).`,
  ];
  const passive = p.passive.length > 0 || p.passiveExclusions !== undefined;
  const exclusions = p.passiveExclusions;
  const all = passive ? [...tables, ...passiveTables(p.passive), ...(exclusions ? [exclusions.table] : [])] : tables;
  return {
    analysis: { id: 'ca-practice', version: p.version },
    countingRule: 'per-server',
    totals: { records: p.records, servers: p.servers, chains: p.totals.chains, validations: st.validations, internalErrors: p.internalErrors },
    tables: all,
    headline: validityHeadline(tables, p.profile),
    figures: validityFigures(all),
    notes: passive ? [...notes, PASSIVE_CHAINS_NOTE, ...(exclusions ? [exclusions.note] : [])] : notes,
  };
}
