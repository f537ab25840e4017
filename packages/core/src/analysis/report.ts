/**
 * One envelope for every analysis report. A report is data, not text: the CLI
 * renders any report (third-party ones included) from this shape alone.
 */
export type CountingRule = 'per-server' | 'per-certificate' | 'per-key' | 'per-record' | 'per-chain' | 'per-host';

export type ColumnType = 'string' | 'integer' | 'number' | 'share' | 'boolean' | 'list';

export interface ReportColumn {
  key: string;
  title: string;
  /** share: a fraction between 0 and 1, rendered as a percentage on a TTY. */
  type: ColumnType;
}

export type ReportCell = string | number | boolean | null | string[];

export interface ReportTable {
  id: string;
  title: string;
  /** The unit each row counts; defaults to the report's rule. */
  countingRule?: CountingRule;
  columns: ReportColumn[];
  rows: Array<Record<string, ReportCell>>;
}

export interface Report {
  analysis: { id: string; version: string };
  countingRule: CountingRule;
  /** Totals the analysis saw: every record, and distinct servers (ip:port). */
  totals: { records: number; servers: number; [k: string]: number };
  tables: ReportTable[];
  notes?: string[];
}
