import { DigestIds, IntSet } from '@wildtls/core';
import type { ChainEntry } from './chain-service.js';
import type { ChainTotals, Group, GroupView } from './table-helpers.js';

const valid = (e: ChainEntry) => e.errors.length === 0;

/** Flags per distinct chain, over all groups. */
const VALID = 1;
const DIRECT = 2;

/**
 * The record stream's groups as the tables read them: per group, distinct
 * valid chains and leaves issued by a store root (by chain hash), servers
 * with several chains by whether those agree on validity (each chain's first
 * verdict, `entryOf`), and over all groups the distinct chains of the
 * servers' verdicts. The store path counts the same in SQL (store-counts.ts).
 * Distinct chains are ids in a DigestIds, their flags a byte each, the
 * per-chain table's verdicts summed per distinct errors and flags lists: at
 * 1.85M distinct chains, Maps and Sets of hash strings here cost some 200 MB
 * of heap in finish() on top of the verdicts (issue 18).
 */
export function groupViews(groups: Group[], entryOf: (id: number) => ChainEntry | undefined): { views: GroupView[]; totals: ChainTotals } {
  const ids = new DigestIds();
  /** By chain id: the verdict the per-chain table counts (the last met, in group order), and VALID | DIRECT over all groups. */
  const last: ChainEntry[] = [];
  let flags = new Uint8Array(1024);
  const views = groups.map((g): GroupView => {
    const verifiable = new IntSet();
    const direct = new IntSet();
    for (const e of g.tally.keys()) {
      const id = ids.id(e.hash);
      last[id] = e;
      if (id >= flags.length) {
        const more = new Uint8Array(flags.length * 2);
        more.set(flags);
        flags = more;
      }
      if (!valid(e)) continue;
      verifiable.add(id);
      flags[id]! |= VALID;
      if (!e.flags.includes('leaf-issued-by-root')) continue;
      direct.add(id);
      flags[id]! |= DIRECT;
    }
    const multi = { multi: g.multi.size, allValid: 0, allInvalid: 0, mixed: 0 };
    for (const chainIds of g.multi.values()) {
      const verdicts = [...chainIds].map(entryOf).filter((e): e is ChainEntry => !!e).map(valid);
      if (verdicts.every((v) => v)) multi.allValid++;
      else if (verdicts.every((v) => !v)) multi.allInvalid++;
      else multi.mixed++;
    }
    return { service: g.service, port: g.port, servers: g.counted.size, noChain: g.noChain.size, tally: g.tally, leafByRoot: { verifiable: verifiable.size, direct: direct.size }, multi };
  });
  // The per-chain table only sums chains over these, so equal lists need not meet in one shape: they are summed by
  // the lists' identity (kept verdicts share their lists, worker-pool.ts), no string made per chain.
  type Shape = { errors: ChainEntry['errors']; flags: ChainEntry['flags']; chains: number };
  const shapes = new Map<ChainEntry['errors'], Map<ChainEntry['flags'], Shape>>();
  let allValid = 0;
  let allDirect = 0;
  for (let id = 0; id < last.length; id++) {
    const e = last[id]!;
    let byFlags = shapes.get(e.errors);
    if (!byFlags) shapes.set(e.errors, (byFlags = new Map<ChainEntry['flags'], Shape>()));
    const s = byFlags.get(e.flags);
    if (s) s.chains++;
    else byFlags.set(e.flags, { errors: e.errors, flags: e.flags, chains: 1 });
    if (flags[id]! & VALID) allValid++;
    if (flags[id]! & DIRECT) allDirect++;
  }
  return { views, totals: { chains: last.length, shapes: [...shapes.values()].flatMap((m) => [...m.values()]), leafByRoot: { verifiable: allValid, direct: allDirect } } };
}
