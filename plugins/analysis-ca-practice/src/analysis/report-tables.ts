import { share, type ReportCell, type ReportTable } from '@wildtls/core';
import { PRACTICE_FLAGS, PRACTICE_FLAG_TITLES } from '../practice/practice-flags.js';
import { VALIDITY_CLASSES, classesOf } from '../validate/errors.js';
import { countRows, groupRows, keyCols, shareColumns, type ChainTotals, type GroupView, type Row } from './table-helpers.js';
import { validityTables, type ValidityOptions } from './validity-tables.js';

export type { ChainTotals, Group, GroupView } from './table-helpers.js';

export type TableOptions = ValidityOptions;

/** The paper view's section for the study's text statistics on certificate chains. */
const TEXT_REF = 'Text: certificate chains';

/** The report's tables: validity (Figs. 4 and 5, host names, errors), CA practice, servers with several chains, per distinct chain. */
export function buildTables(groups: GroupView[], totals: ChainTotals, o: TableOptions): ReportTable[] {
  const tables = validityTables(groups, o);
  tables.push({
    id: 'practice',
    title: 'CA practice by service and port',
    countingRule: 'per-server',
    columns: [...keyCols, ...shareColumns(PRACTICE_FLAGS, PRACTICE_FLAG_TITLES)],
    rows: countRows(groups, PRACTICE_FLAGS, (e) => e.flags),
  });
  // Two statistics the study states in its text; validity in them is the profile's, so they are the study's under openssl only.
  const text = (order: number) => (o.profile === 'openssl' ? { paper: { ref: TEXT_REF, order } } : {});
  tables.push({ ...leafByRootTable(groups, totals), ...text(1) });
  tables.push({ ...multiChainTable(groups), ...text(2) });

  // Per distinct chain (host names are per record, so not here).
  const chainCount = new Map<string, number>();
  const add = (k: string, n: number) => chainCount.set(k, (chainCount.get(k) ?? 0) + n);
  for (const s of totals.shapes) {
    for (const c of classesOf(s.errors)) add(`class:${c}`, s.chains);
    for (const f of s.flags) add(`flag:${f}`, s.chains);
  }
  const chainRows: Array<Record<string, ReportCell>> = [];
  const n = totals.chains;
  for (const c of VALIDITY_CLASSES) if (c !== 'hostname-mismatch') chainRows.push({ kind: 'class', name: c, chains: chainCount.get(`class:${c}`) ?? 0, share: share(chainCount.get(`class:${c}`) ?? 0, n) });
  for (const f of PRACTICE_FLAGS) chainRows.push({ kind: 'practice', name: f, chains: chainCount.get(`flag:${f}`) ?? 0, share: share(chainCount.get(`flag:${f}`) ?? 0, n) });
  tables.push({
    id: 'chains',
    title: 'Distinct chains: validity classes (without host names) and CA-practice flags',
    countingRule: 'per-chain',
    columns: [
      { key: 'kind', title: 'Kind', type: 'string' },
      { key: 'name', title: 'Class or flag', type: 'string' },
      { key: 'chains', title: 'Chains', type: 'integer' },
      { key: 'share', title: 'Share of distinct chains', type: 'share' },
    ],
    rows: chainRows,
  });
  tables.push({
    id: 'no-chain',
    title: 'Servers seen without a certificate chain (not in the shares above)',
    countingRule: 'per-server',
    columns: keyCols.map((c) => (c.key === 'servers' ? { ...c, title: 'Servers without a chain' } : c)),
    rows: groups.map((g) => ({ service: g.service, port: g.port, servers: g.noChain })),
  });
  return tables;
}

/** The study's count: leaves issued directly by a root of the trust store, among verifiable (valid) distinct chains. */
function leafByRootTable(groups: GroupView[], totals: ChainTotals): ReportTable {
  const row = (service: string, port: number | null, c: { verifiable: number; direct: number }): Row => ({ service, port, verifiable: c.verifiable, direct: c.direct, share: share(c.direct, c.verifiable) });
  const rows = groups.map((g) => row(g.service, g.port, g.leafByRoot));
  if (groups.length > 1) rows.push(row('all', null, totals.leafByRoot));
  return {
    id: 'leaf-issued-by-root',
    title: 'Leaves issued directly by a root of the trust store, among verifiable chains (distinct valid chains the servers of each service and port sent)',
    countingRule: 'per-chain',
    columns: [
      { key: 'service', title: 'Service', type: 'string' },
      { key: 'port', title: 'Port', type: 'integer' },
      { key: 'verifiable', title: 'Verifiable chains', type: 'integer' },
      { key: 'direct', title: 'Leaf issued by a store root', type: 'integer' },
      { key: 'share', title: 'Share of verifiable chains', type: 'share' },
    ],
    rows,
  };
}

/** Servers (ip:port) that served more than one distinct chain in the scan, and whether their chains agree on validity. */
function multiChainTable(groups: GroupView[]): ReportTable {
  const rows = groupRows(
    groups,
    (g) => ({ servers: g.servers, ...g.multi }),
    (c) => ({ servers: c.servers!, multi: c.multi!, allValid: c.allValid!, allInvalid: c.allInvalid!, mixed: c.mixed!, shared: share(c.allValid! + c.allInvalid!, c.multi!) }),
  );
  return {
    id: 'multi-chain',
    title: 'Servers that served more than one distinct chain, and whether all of a server\'s chains share validity (valid or not, under the profile)',
    countingRule: 'per-server',
    columns: [
      ...keyCols,
      { key: 'multi', title: 'Servers with several chains', type: 'integer' },
      { key: 'allValid', title: 'All chains valid', type: 'integer' },
      { key: 'allInvalid', title: 'All chains invalid', type: 'integer' },
      { key: 'mixed', title: 'Valid and invalid chains', type: 'integer' },
      { key: 'shared', title: 'Share of those servers whose chains share validity', type: 'share' },
    ],
    rows,
  };
}
