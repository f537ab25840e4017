import type { ServerMap, ServerSet } from '@wildtls/core';
import { share, type ReportCell, type ReportColumn } from '@wildtls/core';
import type { ChainEntry } from './chain-service.js';

/** A verdict as the tables read it: errors, OpenSSL's first error, CA-practice flags. */
export type Verdict = Pick<ChainEntry, 'errors' | 'openssl' | 'flags'>;

/** Per verdict in a group: servers with it, how many of those named a domain, and how many of those failed the host name check. */
export interface TallyCount {
  servers: number;
  named: number;
  mismatched: number;
}

/**
 * One (service, port) group as the tables read it: counts only, whoever
 * counted them (the record stream's Group, or SQL over a result store).
 */
export interface GroupView {
  service: string;
  port: number;
  /** Servers counted (their first record in the group had a chain). */
  servers: number;
  /** Servers seen in the group only without a chain. */
  noChain: number;
  /** Per verdict (or per distinct verdict content): its server counts. */
  tally: Map<Verdict, TallyCount>;
  /** Distinct valid chains the group's servers sent, and those whose leaf a store root issued. */
  leafByRoot: { verifiable: number; direct: number };
  /** Servers that served several distinct chains, by whether those chains' (first) verdicts agree on validity. */
  multi: { multi: number; allValid: number; allInvalid: number; mixed: number };
}

/** Over every group: distinct chains in the servers' verdicts, by their errors and flags (the per-chain table), and the pooled leaf-by-root count. */
export interface ChainTotals {
  chains: number;
  shapes: Array<{ errors: ChainEntry['errors']; flags: ChainEntry['flags']; chains: number }>;
  leafByRoot: { verifiable: number; direct: number };
}

/** One (service, port) group. */
export interface Group {
  service: string;
  port: number;
  /** Servers counted (their first record had a chain), with the id of that chain. */
  counted: ServerMap;
  /** Servers seen only without a chain so far. */
  noChain: ServerSet;
  /** Per distinct verdict: servers with it, how many of those named a domain, and how many of those failed the host name check. */
  tally: Map<ChainEntry, { servers: number; named: number; mismatched: number }>;
  /** Servers that served more than one distinct chain: the ids of every chain they served. */
  multi: Map<number | string, Set<number>>;
}

export type Row = Record<string, ReportCell>;

export const keyCols: ReportColumn[] = [
  { key: 'service', title: 'Service', type: 'string' },
  { key: 'port', title: 'Port', type: 'integer' },
  { key: 'servers', title: 'Servers with a chain', type: 'integer' },
];

export function shareColumns<T extends string>(names: readonly T[], titles: Record<T, string>): ReportColumn[] {
  return names.map((n) => ({ key: n, title: titles[n], type: 'share' as const }));
}

/** Calls `f` once per distinct (verdict, host name result) in a group, with the number of servers it covers. */
export function eachWeighted(g: GroupView, f: (e: Verdict, mismatched: boolean, servers: number) => void): void {
  for (const [e, t] of g.tally) {
    if (t.servers - t.mismatched > 0) f(e, false, t.servers - t.mismatched);
    if (t.mismatched > 0) f(e, true, t.mismatched);
  }
}

/** One row per group (and an `all` row when there are several): the share of the group's servers each name applies to. */
export function countRows<T extends string>(groups: GroupView[], names: readonly T[], of: (e: Verdict, mismatched: boolean) => readonly T[]): Row[] {
  const rows: Row[] = [];
  const total = new Map<T, number>();
  let totalServers = 0;
  for (const g of groups) {
    const counts = new Map<T, number>();
    eachWeighted(g, (e, m, n) => {
      for (const name of of(e, m)) counts.set(name, (counts.get(name) ?? 0) + n);
    });
    const servers = g.servers;
    const row: Row = { service: g.service, port: g.port, servers };
    for (const n of names) {
      row[n] = share(counts.get(n) ?? 0, servers);
      total.set(n, (total.get(n) ?? 0) + (counts.get(n) ?? 0));
    }
    totalServers += servers;
    rows.push(row);
  }
  if (groups.length > 1) {
    const row: Row = { service: 'all', port: null, servers: totalServers };
    for (const n of names) row[n] = share(total.get(n) ?? 0, totalServers);
    rows.push(row);
  }
  return rows;
}

/** Rows for each group plus an `all` row when there are several, from per-group counters that add up. */
export function groupRows(groups: GroupView[], counters: (g: GroupView) => Record<string, number>, finish: (c: Record<string, number>) => Row): Row[] {
  const rows: Row[] = [];
  const total: Record<string, number> = {};
  for (const g of groups) {
    const c = counters(g);
    for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
    rows.push({ service: g.service, port: g.port, ...finish(c) });
  }
  if (groups.length > 1) rows.push({ service: 'all', port: null, ...finish(total) });
  return rows;
}
