/**
 * A value of @duckdb/node-api's JS conversion as the StoreQuery contract gives
 * it: BIGINT (bigint) as a number, lists and structs converted through, BLOB as
 * Uint8Array, NULL as null.
 */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
  if (Array.isArray(value)) return value.map(plainValue);
  // A Buffer (what the binding gives for BLOB) as a plain Uint8Array view of the same bytes.
  if (Buffer.isBuffer(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Uint8Array || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
  return out;
}

export function plainRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) out[k] = plainValue(row[k]);
  return out as T;
}
