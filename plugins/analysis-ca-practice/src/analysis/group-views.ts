import type { ChainEntry } from './chain-service.js';
import type { ChainTotals, Group, GroupView } from './table-helpers.js';

const valid = (e: ChainEntry) => e.errors.length === 0;

/**
 * The record stream's groups as the tables read them: per group, distinct
 * valid chains and leaves issued by a store root (by chain hash), servers
 * with several chains by whether those agree on validity (each chain's first
 * verdict, `entryOf`), and over all groups the distinct chains of the
 * servers' verdicts. The store path counts the same in SQL (store-counts.ts).
 */
export function groupViews(groups: Group[], entryOf: (id: number) => ChainEntry | undefined): { views: GroupView[]; totals: ChainTotals } {
  const allValid = new Set<string>();
  const allDirect = new Set<string>();
  const distinct = new Map<string, ChainEntry>();
  const views = groups.map((g): GroupView => {
    const verifiable = new Set<string>();
    const direct = new Set<string>();
    for (const e of g.tally.keys()) {
      distinct.set(e.hash, e);
      if (!valid(e)) continue;
      for (const s of [verifiable, allValid]) s.add(e.hash);
      if (e.flags.includes('leaf-issued-by-root')) for (const s of [direct, allDirect]) s.add(e.hash);
    }
    const multi = { multi: g.multi.size, allValid: 0, allInvalid: 0, mixed: 0 };
    for (const ids of g.multi.values()) {
      const verdicts = [...ids].map(entryOf).filter((e): e is ChainEntry => !!e).map(valid);
      if (verdicts.every((v) => v)) multi.allValid++;
      else if (verdicts.every((v) => !v)) multi.allInvalid++;
      else multi.mixed++;
    }
    return { service: g.service, port: g.port, servers: g.counted.size, noChain: g.noChain.size, tally: g.tally, leafByRoot: { verifiable: verifiable.size, direct: direct.size }, multi };
  });
  const shapes = [...distinct.values()].map((e) => ({ errors: e.errors, flags: e.flags, chains: 1 }));
  return { views, totals: { chains: distinct.size, shapes, leafByRoot: { verifiable: allValid.size, direct: allDirect.size } } };
}
