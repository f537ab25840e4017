import type { ReportCell, ReportColumn, ReportTable } from '@wildtls/core';
import { PRACTICE_FLAGS, PRACTICE_FLAG_TITLES } from '../practice/practice-flags.js';
import { ERROR_CLASS, VALIDITY_CLASSES, classesOf, primaryClass, type ValidationError, type ValidityClass } from '../validate/errors.js';
import { ChainService, type ChainEntry } from './chain-service.js';
import { share } from '@wildtls/core';

/** One (service, port) group. */
export interface Group {
  service: string;
  port: number;
  /** Servers counted (their first record had a chain). */
  counted: Set<number | string>;
  /** Servers seen only without a chain so far. */
  noChain: Set<number | string>;
  /** Per distinct verdict: servers with it, and how many of those failed their host name check. */
  tally: Map<ChainEntry, { servers: number; mismatched: number }>;
}

const CLASS_TITLES: Record<ValidityClass, string> = {
  valid: 'Valid',
  'self-signed': 'Self-signed',
  expired: 'Expired',
  'not-yet-valid': 'Not yet valid',
  'unknown-issuer': 'Unknown issuer / broken chain',
  'missing-intermediate': 'Missing intermediate',
  'bad-signature': 'Bad signature',
  'hostname-mismatch': 'Host name mismatch',
  other: 'Other error',
};

const keyCols: ReportColumn[] = [
  { key: 'service', title: 'Service', type: 'string' },
  { key: 'port', title: 'Port', type: 'integer' },
  { key: 'servers', title: 'Servers with a chain', type: 'integer' },
];

function shareColumns<T extends string>(names: readonly T[], titles: Record<T, string>): ReportColumn[] {
  return names.map((n) => ({ key: n, title: titles[n], type: 'share' as const }));
}

/** Calls `f` once per distinct (verdict, host name result) in a group, with the number of servers it covers. */
function eachWeighted(g: Group, f: (e: ChainEntry, mismatched: boolean, servers: number) => void): void {
  for (const [e, t] of g.tally) {
    if (t.servers - t.mismatched > 0) f(e, false, t.servers - t.mismatched);
    if (t.mismatched > 0) f(e, true, t.mismatched);
  }
}

function countRows<T extends string>(groups: Group[], names: readonly T[], of: (e: ChainEntry, mismatched: boolean) => readonly T[]): Array<Record<string, ReportCell>> {
  const rows: Array<Record<string, ReportCell>> = [];
  const total = new Map<T, number>();
  let totalServers = 0;
  for (const g of groups) {
    const counts = new Map<T, number>();
    eachWeighted(g, (e, m, n) => {
      for (const name of of(e, m)) counts.set(name, (counts.get(name) ?? 0) + n);
    });
    const servers = g.counted.size;
    const row: Record<string, ReportCell> = { service: g.service, port: g.port, servers };
    for (const n of names) {
      row[n] = share(counts.get(n) ?? 0, servers);
      total.set(n, (total.get(n) ?? 0) + (counts.get(n) ?? 0));
    }
    totalServers += servers;
    rows.push(row);
  }
  if (groups.length > 1) {
    const row: Record<string, ReportCell> = { service: 'all', port: null, servers: totalServers };
    for (const n of names) row[n] = share(total.get(n) ?? 0, totalServers);
    rows.push(row);
  }
  return rows;
}

function classesOfServer(e: ChainEntry, mismatched: boolean): ValidityClass[] {
  return ChainService.classes(e, mismatched);
}

/** The report's tables: Fig. 4 (overlapping and primary classes), CA practice, error detail, and per distinct chain. */
export function buildTables(groups: Group[]): { tables: ReportTable[]; chains: number } {
  const tables: ReportTable[] = [];
  tables.push({
    id: 'validity',
    title: 'Certificate validity by service and port (a server can be in several classes)',
    countingRule: 'per-server',
    columns: [...keyCols, ...shareColumns(VALIDITY_CLASSES, CLASS_TITLES)],
    rows: countRows(groups, VALIDITY_CLASSES, classesOfServer),
  });
  tables.push({
    id: 'validity-primary',
    title: 'Primary validity class by service and port (exclusive, sums to 1; the study\'s Fig. 4)',
    countingRule: 'per-server',
    columns: [...keyCols, ...shareColumns(VALIDITY_CLASSES, CLASS_TITLES)],
    rows: countRows(groups, VALIDITY_CLASSES, (e, m) => [primaryClass(classesOfServer(e, m))]),
  });
  tables.push({
    id: 'practice',
    title: 'CA practice by service and port',
    countingRule: 'per-server',
    columns: [...keyCols, ...shareColumns(PRACTICE_FLAGS, PRACTICE_FLAG_TITLES)],
    rows: countRows(groups, PRACTICE_FLAGS, (e) => e.flags),
  });

  // Error detail over all servers.
  const errCount = new Map<string, number>();
  let servers = 0;
  const distinctByHash = new Map<string, ChainEntry>();
  for (const g of groups) {
    servers += g.counted.size;
    eachWeighted(g, (e, m, n) => {
      distinctByHash.set(e.hash, e);
      for (const err of e.errors) errCount.set(err, (errCount.get(err) ?? 0) + n);
      if (m) errCount.set('hostname-mismatch', (errCount.get('hostname-mismatch') ?? 0) + n);
    });
  }
  tables.push({
    id: 'errors',
    title: 'Validation errors over all servers (every error of each chain)',
    countingRule: 'per-server',
    columns: [
      { key: 'error', title: 'Error', type: 'string' },
      { key: 'class', title: 'Class', type: 'string' },
      { key: 'servers', title: 'Servers', type: 'integer' },
      { key: 'share', title: 'Share of servers with a chain', type: 'share' },
    ],
    rows: [...errCount]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([e, n]) => ({ error: e, class: ERROR_CLASS[e as ValidationError], servers: n, share: share(n, servers) })),
  });

  // Per distinct chain (host names are per record, so not here).
  const distinct = [...distinctByHash.values()];
  const chainCount = new Map<string, number>();
  for (const e of distinct) {
    for (const c of classesOf(e.errors)) chainCount.set(`class:${c}`, (chainCount.get(`class:${c}`) ?? 0) + 1);
    for (const f of e.flags) chainCount.set(`flag:${f}`, (chainCount.get(`flag:${f}`) ?? 0) + 1);
  }
  const chainRows: Array<Record<string, ReportCell>> = [];
  for (const c of VALIDITY_CLASSES) if (c !== 'hostname-mismatch') chainRows.push({ kind: 'class', name: c, chains: chainCount.get(`class:${c}`) ?? 0, share: share(chainCount.get(`class:${c}`) ?? 0, distinct.length) });
  for (const f of PRACTICE_FLAGS) chainRows.push({ kind: 'practice', name: f, chains: chainCount.get(`flag:${f}`) ?? 0, share: share(chainCount.get(`flag:${f}`) ?? 0, distinct.length) });
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
  const noChain = groups.map((g) => ({ service: g.service, port: g.port, servers: g.noChain.size }));
  tables.push({
    id: 'no-chain',
    title: 'Servers seen without a certificate chain (not in the shares above)',
    countingRule: 'per-server',
    columns: keyCols.map((c) => (c.key === 'servers' ? { ...c, title: 'Servers without a chain' } : c)),
    rows: noChain,
  });
  return { tables, chains: distinct.length };
}
