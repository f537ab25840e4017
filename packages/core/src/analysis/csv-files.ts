import { tableCsv } from './render-table.js';
import type { Report } from './report.js';

export interface CsvFile {
  /** <analysis>-<table id>.csv, made safe: letters, digits, '.', '_' and '-' only, no leading dot. */
  name: string;
  analysis: string;
  table: string;
  /** A header row of column keys, then one line per row (raw values, shares as fractions). */
  text: string;
}

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || '_';
}

/**
 * One CSV file per table of every report, for spreadsheets and data frames
 * (`analyze --format csv --output DIR`). Every table, empty ones included
 * (a header row alone). Names that a third-party analysis makes collide
 * after escaping get -2, -3, ... before .csv.
 */
export function reportCsvFiles(reports: Report[]): CsvFile[] {
  const used = new Set<string>();
  const files: CsvFile[] = [];
  for (const r of reports) {
    for (const t of r.tables) {
      const base = `${safe(r.analysis.id)}-${safe(t.id)}`;
      let name = `${base}.csv`;
      for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}.csv`;
      used.add(name.toLowerCase());
      files.push({ name, analysis: r.analysis.id, table: t.id, text: tableCsv(t).join('\n') + '\n' });
    }
  }
  return files;
}
