import { Args, Flags } from '@oclif/core';
import { exportStore, type ExportFormat } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';

export default class Export extends WildtlsCommand {
  static override description =
    'Write the records of a DuckDB result store (scan --output x.duckdb, wildtls import) back out. jsonl: every record whole, in write order, each certificate chain restored as base64 DER: the same lines the JSONL output of the scan holds (gzip when the output ends in .gz; "-" = stdout). parquet (through DuckDB COPY, zstd): the records table as stored, chains as lists of SHA-256 fingerprints and `record` the JSON with fingerprints, plus the certificates table (sha256, der, first_seq) in PATH with .parquet replaced by .certificates.parquet; join the two on sha256. See docs/store.md.';

  static override examples = [
    '<%= config.bin %> export results.duckdb --format jsonl --output results.jsonl.gz',
    '<%= config.bin %> export results.duckdb --format jsonl --output - | head -1',
    '<%= config.bin %> export results.duckdb --format parquet --output records.parquet',
  ];

  static override args = {
    store: Args.string({ description: 'The DuckDB result store.', required: true }),
  };

  static override flags = {
    format: Flags.string({ char: 'f', description: 'jsonl (records whole) or parquet (the tables as stored).', options: ['jsonl', 'parquet'], default: 'jsonl' }),
    output: Flags.string({ char: 'o', description: 'Output file ("-" = stdout, jsonl only; .gz = gzip).', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export);
    const { records, files } = await exportStore(args.store, flags.format as ExportFormat, flags.output);
    if (files.length) process.stderr.write(`wildtls: ${records} record${records === 1 ? '' : 's'} exported to ${files.join(' and ')}\n`);
  }
}
