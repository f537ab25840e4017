/**
 * @duckdb/node-api, loaded on first use: its native binding takes a while to
 * load, and commands that never touch a store must not pay for it at start-up.
 */
export type DuckDb = typeof import('@duckdb/node-api');
export type DuckDbConnection = import('@duckdb/node-api').DuckDBConnection;
export type DuckDbInstance = import('@duckdb/node-api').DuckDBInstance;

let loading: Promise<DuckDb> | undefined;

export function loadDuckDb(): Promise<DuckDb> {
  loading ??= import('@duckdb/node-api');
  return loading;
}
