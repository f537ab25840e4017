import { Args, Flags } from '@oclif/core';
import { importIntoStore } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { lenientFlag } from '../run-analyses.js';

export default class Import extends WildtlsCommand {
  static override description =
    'Load JSONL results (gzipped or not, told by content; several files, in order) into a DuckDB result store, created when missing and appended to otherwise. Each distinct certificate is stored once (by the SHA-256 of its DER); records keep their chain as fingerprints and `wildtls export` gives each record back whole. analyze, report and show read a store as they read JSONL. See docs/store.md.';

  static override examples = [
    '<%= config.bin %> import results.jsonl --into results.duckdb',
    '<%= config.bin %> import day1.jsonl.gz day2.jsonl.gz --into study.duckdb',
    '<%= config.bin %> import killed-scan.jsonl --into results.duckdb --lenient',
  ];

  static override strict = false;

  static override args = {
    files: Args.string({ description: 'JSONL result files (optionally gzipped).', required: true }),
  };

  static override flags = {
    into: Flags.string({ description: 'The DuckDB result store to load into (created when missing).', required: true }),
    lenient: lenientFlag,
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Import);
    let skipped = 0;
    let firstSkip = '';
    const onSkip = (where: string, why: string) => {
      if (skipped++ === 0) firstSkip = `${where}: ${why}`;
    };
    const { records } = await importIntoStore(argv as string[], flags.into, { lenient: flags.lenient, onSkip, createdBy: 'wildtls import' });
    if (skipped > 0) process.stderr.write(`wildtls: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'} (--lenient); the first: ${firstSkip}\n`);
    process.stderr.write(`wildtls: ${records} record${records === 1 ? '' : 's'} imported into ${flags.into}\n`);
  }
}
