import type { StoreQuery } from './store-query.js';

/**
 * Whether a result store holds passive records (source 'passive', `wildtls passive`).
 * Analyses with passive tables stream such a store's records through consume/finish
 * instead of counting in SQL, so the passive exclusion rules and tables have one
 * implementation (docs/store.md: "passive records: counted by the record stream").
 */
export async function storeHasPassive(store: StoreQuery): Promise<boolean> {
  const [row] = await store.all<{ n: number }>("SELECT count(*) AS n FROM records WHERE source = 'passive'");
  return (row?.n ?? 0) > 0;
}
