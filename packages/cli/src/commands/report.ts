import { Args, Flags } from '@oclif/core';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WildtlsError } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { buildReportPage } from '../report/report-page.js';
import { writeFigures } from '../report/write-figures.js';
import { analysisRunFlags, analysisRunOptions, runAnalyses } from '../run-analyses.js';

export default class Report extends WildtlsCommand {
  static override description = `Write one self-contained HTML report of stored results: a headline per protocol (servers probed, TLS reached, STARTTLS, valid chains, plaintext-only SASL), then per analysis its figures (the study's Figs. 3-7, labelled with their numbers) and every table. The page loads nothing and runs no script: charts are SVG rendered here by vega-lite, styles and data are inline. --figures also writes each chart as SVG and PNG.`;

  static override examples = [
    '<%= config.bin %> report results.jsonl --output report.html',
    '<%= config.bin %> report day1.jsonl.gz day2.jsonl.gz --output report.html --title "Mail servers, week 1"',
    '<%= config.bin %> report results.jsonl --output report.html --figures figures/',
    '<%= config.bin %> report results.jsonl --output reuse.html --analysis reuse --analysis ca-practice --at 2016-01-01T00:00:00Z',
  ];

  static override strict = false;

  static override args = {
    results: Args.string({ description: 'Result files (JSONL, optionally gzipped; "-" = stdin).', required: true }),
  };

  static override flags = {
    output: Flags.string({ char: 'o', required: true, description: 'The HTML file to write.' }),
    title: Flags.string({ description: 'The page title (default: "wildtls report").' }),
    ...analysisRunFlags,
    figures: Flags.string({ description: 'Also write every figure to this folder as <analysis>-<figure>.svg and .png.' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Report);
    const files = argv as string[];
    // Found before the analyses run (minutes on a large scan), not after.
    const folder = dirname(resolve(flags.output));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new WildtlsError('WILDTLS_ERR_USAGE', `--output ${flags.output}: the folder ${folder} does not exist`);
    const reports = await runAnalyses(analysisRunOptions(files, flags));
    const page = await buildReportPage(reports, { title: flags.title ?? 'wildtls report', inputs: files, generatedAt: new Date() });
    try {
      writeFileSync(flags.output, page.html);
      if (flags.figures) writeFigures(flags.figures, page.figures);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot write the report: ${err.message}`);
    }
  }
}
