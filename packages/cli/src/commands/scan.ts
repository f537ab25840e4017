import { Args, Flags } from '@oclif/core';
import { renderReports, scanFromConfig, type ReportFormat } from '@wildtls/core';
import { writeFileSync } from 'node:fs';
import { WildtlsCommand } from '../base-command.js';
import { availableEngines, profileResolver } from '../engines.js';
import { scanOverrides, setFlag, targetFlags, tlsFlags } from '../flags.js';
import { loadRun } from '../load-run.js';
import { formatSummary } from '../summary.js';

export default class Scan extends WildtlsCommand {
  static override description = 'Probe targets with protocol plugins and write one JSONL record per (target, port, service).';

  static override examples = [
    '<%= config.bin %> scan 127.0.0.1 --protocol smtp --port 2525 --allow 127.0.0.0/8',
    '<%= config.bin %> scan 127.0.0.0/28 -p imaps -p pop3s --allow 127.0.0.0/8 --output results.jsonl.gz',
    'zmap -p 25 198.51.100.0/24 | <%= config.bin %> scan --input - --protocol smtp',
    '<%= config.bin %> scan --config wildtls.config.yaml --analysis sasl --analysis crypto',
  ];

  static override strict = false;

  static override args = {
    targets: Args.string({ description: 'Addresses, CIDR ranges or host names (more with --input).' }),
  };

  static override flags = {
    ...targetFlags,
    ...tlsFlags,
    ...setFlag,
    output: Flags.string({ char: 'o', description: 'JSONL output file ("-" = stdout, the default; .gz = gzip).' }),
    gzip: Flags.boolean({ description: 'Gzip the output.', allowNo: true }),
    analysis: Flags.string({ char: 'a', multiple: true, description: 'Run this analysis live during the scan (repeatable).' }),
    report: Flags.string({ description: 'Write the live analyses\' reports to this file (default: stderr).' }),
    format: Flags.string({ description: 'Report format.', options: ['table', 'json', 'csv', 'markdown'], default: 'table' }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not print the summary.' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Scan);
    const setup = await loadRun({ configFile: flags.config, overrides: scanOverrides(flags, argv as string[]), logLevel: flags['log-level'] });
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const { summary, reports } = await scanFromConfig(setup.config, setup.registry, {
        logger: setup.logger,
        engines: availableEngines(),
        resolveProfile: profileResolver(),
        signal: abort.signal,
      });
      if (reports.length) {
        const text = renderReports(reports, flags.format as ReportFormat);
        if (flags.report) writeFileSync(flags.report, text);
        else process.stderr.write(text);
      }
      if (!flags.quiet) process.stderr.write(formatSummary(summary) + '\n');
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
