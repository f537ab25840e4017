import type { DuckDb } from './duckdb-module.js';

type DuckType = ReturnType<InstanceType<DuckDb['DuckDBAppender']>['columnType']>;

/** A plain JavaScript value as the DuckDB value of a column's type (the reverse of plainValue). */
export function duckValue(duck: DuckDb, value: unknown, type: DuckType): unknown {
  if (value === null || value === undefined) return null;
  const id = type.typeId;
  if (Array.isArray(value) && id === duck.DuckDBTypeId.LIST) {
    const item = (type as InstanceType<DuckDb['DuckDBListType']>).valueType;
    return duck.listValue(value.map((v) => duckValue(duck, v, item) as never));
  }
  if (value instanceof Uint8Array) return duck.blobValue(value);
  if (typeof value === 'number' && (id === duck.DuckDBTypeId.BIGINT || id === duck.DuckDBTypeId.UBIGINT || id === duck.DuckDBTypeId.HUGEINT)) return BigInt(Math.trunc(value));
  return value;
}
