import type { ReportCell, ReportColumn, ReportTable } from './report.js';

/**
 * Integer columns that name a row rather than count anything (a port, a
 * rank, an OpenSSL error code): they never make a row non-empty. The report
 * envelope has no column role, so these are known by key.
 */
export const ROW_LABEL_KEYS: readonly string[] = ['port', 'rank', 'code'];

function counts(c: ReportColumn): boolean {
  return (c.type === 'integer' || c.type === 'number' || c.type === 'share') && !ROW_LABEL_KEYS.includes(c.key);
}

function zero(v: ReportCell | undefined): boolean {
  return v === null || v === undefined || v === 0;
}

/**
 * A row is empty when it has counting cells (integer, number and share
 * columns, row labels aside) and each of them is 0 or blank: it says that
 * nothing was seen. Rows without any counting column are never empty.
 */
export function isEmptyRow(t: ReportTable, row: Record<string, ReportCell>): boolean {
  const cols = t.columns.filter(counts);
  return cols.length > 0 && cols.every((c) => zero(row[c.key]));
}

/** The table without its empty rows, and how many were dropped. */
export function withoutEmptyRows(t: ReportTable): { table: ReportTable; dropped: number } {
  const rows = t.rows.filter((r) => !isEmptyRow(t, r));
  return { table: rows.length === t.rows.length ? t : { ...t, rows }, dropped: t.rows.length - rows.length };
}
