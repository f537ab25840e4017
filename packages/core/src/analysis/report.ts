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

/**
 * A chart an analysis declares from its own data, drawn by whoever renders the
 * report (`wildtls report` uses vega-lite). `spec` is a vega-lite spec (plain
 * JSON, no functions). With `table`, the rows of that table of the same report
 * become the spec's data (`data.values`), so the numbers are stated once; a
 * spec without `table` carries its own inline `data.values`.
 */
export interface ReportFigure {
  id: string;
  title: string;
  /** Set only when the figure reproduces the study's figure of that name. */
  paper?: PaperRef;
  /** Id of a table of this report whose rows are the figure's data. */
  table?: string;
  /** A vega-lite spec (https://vega.github.io/vega-lite/docs/spec.html), JSON only. */
  spec: Record<string, unknown>;
  /** What a reader must know to read it (counting rule, what is missing). */
  note?: string;
}

/**
 * One number per protocol for a report's headline ("TLS reached: 12 of 15
 * servers probed"), declared by the analysis that counts it; a report page
 * shows every report's headline items side by side, per service.
 */
export interface ReportHeadline {
  id: string;
  /** What is counted: "TLS reached". */
  title: string;
  /** What the total counts, when there is one: "servers probed". */
  of?: string;
  countingRule?: CountingRule;
  /** Column position in the headline, lowest first (default 100); the built-in analyses use 10-50. */
  order?: number;
  /** Per service (every port of it summed); services without the number are left out. */
  values: Array<{ service: string; count: number; total?: number }>;
}

export interface Report {
  analysis: { id: string; version: string };
  countingRule: CountingRule;
  /** Totals the analysis saw: every record, and distinct servers (ip:port). */
  totals: { records: number; servers: number; [k: string]: number };
  tables: ReportTable[];
  /** Headline numbers per protocol; renderers without a headline ignore them. */
  headline?: ReportHeadline[];
  /** Charts of the report's data; renderers without charts ignore them. */
  figures?: ReportFigure[];
  notes?: string[];
}
