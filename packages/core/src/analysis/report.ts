/**
 * One envelope for every analysis report. A report is data, not text: the CLI
 * renders any report (third-party ones included) from this shape alone.
 */
export type CountingRule = 'per-server' | 'per-certificate' | 'per-key' | 'per-record' | 'per-chain' | 'per-host' | 'per-connection';

export type ColumnType = 'string' | 'integer' | 'number' | 'share' | 'boolean' | 'list';

export interface ReportColumn {
  key: string;
  title: string;
  /** share: a fraction between 0 and 1, rendered as a percentage on a TTY. */
  type: ColumnType;
}

export type ReportCell = string | number | boolean | null | string[];

/**
 * Marks a table that reproduces a table or figure of the study (same unit,
 * denominator and categories), so a paper view can lay it out without
 * knowing the analysis: `{ ref: 'Table I' }`, `{ ref: 'Fig. 3' }`.
 */
export interface PaperRef {
  ref: string;
  /** Order among tables with the same ref (several parts of one table). */
  order?: number;
}

export interface ReportTable {
  id: string;
  title: string;
  /** Set only when the table reproduces the study's table or figure of that name. */
  paper?: PaperRef;
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
