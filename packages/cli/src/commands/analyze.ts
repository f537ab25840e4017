import { Args, Flags } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { WildtlsError, createRunContainer, readRecords, renderPaperView, renderReports, type Analyzer, type ReportFormat } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { loadRun } from '../load-run.js';
import { assertWritable } from '../writable-path.js';

export default class Analyze extends WildtlsCommand {
  static override description = 'Run analyses over stored JSONL results (several files, gzip accepted, streamed) and print their reports.';

  static override examples = [
    '<%= config.bin %> analyze results.jsonl',
    '<%= config.bin %> analyze day1.jsonl.gz day2.jsonl.gz --analysis sasl --format markdown',
    '<%= config.bin %> analyze results.jsonl --analysis ca-practice --at 2016-01-01T00:00:00Z --roots mozilla-2016.pem',
    '<%= config.bin %> analyze results.jsonl --analysis ca-practice --validity-profile strict',
    '<%= config.bin %> analyze results.jsonl --format json > reports.json',
    '<%= config.bin %> analyze results.jsonl --paper --format markdown > paper-view.md',
    '<%= config.bin %> analyze killed-scan.jsonl --lenient',
  ];

  static override strict = false;

  static override args = {
    results: Args.string({ description: 'Result files (JSONL, optionally gzipped; "-" = stdin).', required: true }),
  };

  static override flags = {
    analysis: Flags.string({ char: 'a', multiple: true, description: 'Analysis id to run (repeatable; default: every loaded analysis plugin).' }),
    format: Flags.string({ char: 'f', description: 'Output format (default: table on a TTY, json otherwise).', options: ['table', 'json', 'csv', 'markdown'] }),
    output: Flags.string({ char: 'o', description: 'Write the reports to this file instead of stdout.' }),
    at: Flags.string({ description: 'Evaluate certificate validity at this ISO time instead of each record\'s scan time.' }),
    roots: Flags.string({ description: 'PEM bundle of trust anchors (default: Node\'s bundled Mozilla store).' }),
    paper: Flags.boolean({ description: "Print the paper view: only the tables that reproduce the study's tables and figures, in the study's order under its labels, with a line for each one these reports lack." }),
    lenient: Flags.boolean({ description: 'Skip lines that are not wildtls records (a line cut off by kill -9, garbage) and the rest of a gzip file that breaks off, instead of stopping; how many were skipped is printed on stderr.' }),
    'validity-profile': Flags.string({ description: 'Which rules make a certificate chain valid (ca-practice): openssl (default, what `openssl verify` says), strict or webpki.', options: ['openssl', 'strict', 'webpki'] }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Analyze);
    if (flags.output) assertWritable(flags.output, '--output');
    const setup = await loadRun({ configFile: flags.config, logLevel: flags['log-level'] ?? 'warn' });
    const at = flags.at ? new Date(flags.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new WildtlsError('WILDTLS_ERR_USAGE', `--at ${flags.at}: not an ISO 8601 time`);
    const available = setup.registry.analyses();
    const ids = flags.analysis ?? available.map((a) => a.id);
    const container = await createRunContainer(setup.config, setup.registry, setup.logger);
    const analyzers: Analyzer[] = [];
    for (const id of ids) {
      const plugin = available.find((a) => a.id === id);
      if (!plugin) throw new WildtlsError('WILDTLS_ERR_USAGE', `no analysis plugin with id "${id}" is loaded (loaded: ${available.map((a) => a.id).join(', ') || 'none'})`);
      analyzers.push(await plugin.create({
        options: (setup.config.options as Record<string, unknown>)[id],
        logger: setup.logger.child({ analysis: id }),
        container,
        params: { at, rootsFile: flags.roots, validityProfile: flags['validity-profile'] },
      }));
    }
    if (analyzers.length === 0) throw new WildtlsError('WILDTLS_ERR_USAGE', 'no analysis plugin is loaded; add one to the plugins list');
    let skipped = 0;
    let firstSkip = '';
    const onSkip = (where: string, why: string) => {
      if (skipped++ === 0) firstSkip = `${where}: ${why}`;
      setup.logger.debug({ where, why }, 'unreadable line skipped');
    };
    for (const file of argv as string[]) {
      for await (const record of readRecords(file, process.stdin, { lenient: flags.lenient, onSkip })) {
        for (const a of analyzers) await a.consume(record);
      }
    }
    if (skipped > 0) process.stderr.write(`wildtls: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'} (--lenient); the first: ${firstSkip}\n`);
    const reports = [];
    for (const a of analyzers) reports.push(await a.finish());
    const format = (flags.format ?? (process.stdout.isTTY ? 'table' : 'json')) as ReportFormat;
    const text = flags.paper ? renderPaperView(reports, format) : renderReports(reports, format);
    if (flags.output) writeFileSync(flags.output, text);
    else process.stdout.write(text);
  }
}
