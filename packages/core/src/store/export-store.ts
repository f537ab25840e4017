import { WildtlsError } from '../errors.js';
import { JsonlSink } from '../sinks/jsonl-sink.js';
import type { Writable } from 'node:stream';
import { openStore } from './result-store.js';

export type ExportFormat = 'jsonl' | 'parquet';

/** Where `export --format parquet` puts the certificates beside the records file: `x.parquet` -> `x.certificates.parquet`. */
export function certificatesParquetPath(path: string): string {
  return `${path.replace(/\.parquet$/i, '')}.certificates.parquet`;
}

const quoted = (path: string): string => `'${path.replace(/'/g, "''")}'`;

/**
 * Write a store's records out. jsonl: the records whole, chains restored, in
 * write order (gzip when the path ends in .gz, "-" = stdout). parquet (DuckDB
 * COPY): the records table as stored (chains as fingerprints, `record` the
 * JSON with fingerprints) to `path`, and the certificates table (sha256, der,
 * first_seq) to certificatesParquetPath(path): join on sha256.
 */
export async function exportStore(storePath: string, format: ExportFormat, path: string, stdout: Writable = process.stdout): Promise<{ records: number; files: string[] }> {
  const store = await openStore(storePath, { readOnly: true });
  try {
    if (format === 'jsonl') {
      const sink = new JsonlSink({ path }, stdout);
      let records = 0;
      try {
        for await (const record of store.records()) {
          await sink.write(record);
          records++;
        }
      } finally {
        await sink.close();
      }
      return { records, files: path === '-' ? [] : [path] };
    }
    if (path === '-') throw new WildtlsError('WILDTLS_ERR_USAGE', 'export --format parquet needs a file --output, not stdout');
    const certs = certificatesParquetPath(path);
    try {
      await store.run(`COPY (SELECT * FROM records ORDER BY seq) TO ${quoted(path)} (FORMAT parquet, COMPRESSION zstd)`);
      await store.run(`COPY (SELECT * FROM certificates) TO ${quoted(certs)} (FORMAT parquet, COMPRESSION zstd)`);
    } catch (err) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot write ${path}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    return { records: await store.count(), files: [path, certs] };
  } finally {
    await store.close();
  }
}
