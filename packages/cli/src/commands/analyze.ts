import { Args, Flags } from '@oclif/core';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WildtlsError, renderPaperView, renderReports, reportCsvFiles, type Report, type ReportFormat } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { analysisRunFlags, analysisRunOptions, runAnalyses } from '../run-analyses.js';
import { assertWritable } from '../writable-path.js';

export default class Analyze extends WildtlsCommand {
  static override description =
    'Run analyses over stored JSONL results (several files, gzip accepted, streamed) and print their reports. On a terminal (format table): a headline first (records, servers; per service TLS reached, STARTTLS accepted and valid chains), then the tables without empty tables and rows (every count zero; --all shows them), fitted to the terminal width. For spreadsheets and data frames: --format csv --output DIR writes one CSV file per table (<analysis>-<table>.csv, a header row of column keys); --format csv without --output prints every table into one stream under # headings, which spreadsheets do not read as one table.';

  static override examples = [
    '<%= config.bin %> analyze results.jsonl',
    '<%= config.bin %> analyze day1.jsonl.gz day2.jsonl.gz --analysis sasl --format markdown',
    '<%= config.bin %> analyze results.jsonl --analysis ca-practice --at 2016-01-01T00:00:00Z --roots mozilla-2016.pem',
    '<%= config.bin %> analyze results.jsonl --analysis ca-practice --validity-profile strict',
    '<%= config.bin %> analyze results.jsonl --format json > reports.json',
    '<%= config.bin %> analyze results.jsonl --format csv --output tables/',
    '<%= config.bin %> analyze results.jsonl --format table --all',
    '<%= config.bin %> analyze results.jsonl --paper --format markdown > paper-view.md',
    '<%= config.bin %> analyze killed-scan.jsonl --lenient',
    '<%= config.bin %> analyze mx-scan.jsonl --analysis smtp-policy --dns-server 127.0.0.53',
  ];

  static override strict = false;

  static override args = {
    results: Args.string({ description: 'Result files (JSONL, optionally gzipped; "-" = stdin).', required: true }),
  };

  static override flags = {
    ...analysisRunFlags,
    format: Flags.string({ char: 'f', description: 'Output format (default: table on a TTY, json otherwise).', options: ['table', 'json', 'csv', 'markdown'] }),
    output: Flags.string({ char: 'o', description: 'Write the reports to this file instead of stdout. With --format csv: a directory (created if missing) that gets one CSV file per table, the way for spreadsheets; a name ending in .csv keeps all tables in one file under # headings.' }),
    all: Flags.boolean({ description: 'Format table: show empty tables and empty rows too (by default left out, with a line saying how many).' }),
    paper: Flags.boolean({ description: "Print the paper view: only the tables that reproduce the study's tables and figures, in the study's order under its labels, with a line for each one these reports lack." }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Analyze);
    if (flags.output) assertWritable(flags.output, '--output');
    const format = (flags.format ?? (process.stdout.isTTY ? 'table' : 'json')) as ReportFormat;
    // Checked before any record is read: an unusable output is a usage error up front.
    const csvDir = format === 'csv' && flags.output && !flags.paper ? csvDirectory(flags.output) : undefined;
    const reports = await runAnalyses(analysisRunOptions(argv as string[], flags));
    if (csvDir) return writeCsvFiles(csvDir, reports);
    const terminal = { width: terminalWidth(flags.output), all: flags.all };
    const text = flags.paper ? renderPaperView(reports, format) : renderReports(reports, format, format === 'table' ? terminal : undefined);
    if (flags.output) writeFileSync(flags.output, text);
    else process.stdout.write(text);
  }
}

/** The terminal's width when the table goes to one (COLUMNS when stdout is not a TTY but the caller set it); none for a file. */
function terminalWidth(output: string | undefined): number | undefined {
  if (output) return undefined;
  if (process.stdout.columns) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

/** --output with --format csv: the directory for one file per table (made now), or undefined for one file (a name ending in .csv). */
function csvDirectory(output: string): string | undefined {
  const st = statSync(output, { throwIfNoEntry: false });
  if (!st?.isDirectory() && output.toLowerCase().endsWith('.csv')) return undefined;
  if (st && !st.isDirectory()) throw new WildtlsError('WILDTLS_ERR_USAGE', `--output ${output}: with --format csv, --output names a directory (one CSV file per table) or a file ending in .csv, and ${output} is a file`);
  try {
    mkdirSync(output, { recursive: true });
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--output ${output}: cannot make the directory for the CSV files (${(err as Error).message})`, { cause: err });
  }
  return output;
}

function writeCsvFiles(dir: string, reports: Report[]): void {
  try {
    for (const f of reportCsvFiles(reports)) writeFileSync(join(dir, f.name), f.text);
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--output ${dir}: cannot write the CSV files there (${(err as Error).message})`, { cause: err });
  }
}
