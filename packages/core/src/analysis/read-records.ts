import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';
import { openStore } from '../store/result-store.js';
import { isStoreFile } from '../store/store-file.js';

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export interface ReadRecordsOptions {
  /**
   * Skip lines that are not wildtls records (and the rest of a gzip stream that
   * breaks off) instead of stopping; each skip is reported to `onSkip`.
   */
  lenient?: boolean;
  /** Called for each line (or broken-off gzip rest) skipped in lenient mode: where, and why. */
  onSkip?: (where: string, why: string) => void;
}

const LENIENT_HINT = ' (--lenient skips such lines and counts them)';

/** At most 60 characters of a bad line, escaped: a binary file's bytes never reach a terminal raw. */
function excerpt(line: string): string {
  const cut = line.length > 60 ? line.slice(0, 60) : line;
  return JSON.stringify(cut).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + (cut.length < line.length ? '…' : '');
}

/**
 * Stream the records of a JSONL result file (gzip detected by its magic bytes;
 * a DuckDB result store too, by its magic bytes; "-" = stdin), one at a time: never the whole file in memory. A corrupt line
 * is an error naming the file and line, unless `lenient` (then it is skipped
 * and reported to `onSkip`); a file that does not exist is its own error.
 */
export async function* readRecords(file: string, stdin: Readable = process.stdin, options: ReadRecordsOptions = {}): AsyncGenerator<ProbeRecord> {
  if (file !== '-' && (await isStoreFile(file))) {
    const store = await openStore(file, { readOnly: true });
    try {
      yield* store.records();
    } finally {
      await store.close();
    }
    return;
  }
  let input: Readable;
  if (file === '-') input = stdin;
  else {
    try {
      input = (await isGzip(file)) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new WildtlsError('WILDTLS_ERR_RESULTS_NOT_FOUND', `results file not found: ${file}`);
      if (code === 'EISDIR') throw new WildtlsError('WILDTLS_ERR_RESULTS_NOT_FOUND', `results file ${file} is a directory`);
      throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `cannot read results ${file}: ${(err as Error).message}`);
    }
  }
  const bad = (where: string, why: string): void => {
    if (!options.lenient) throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${where}: ${why}${LENIENT_HINT}`);
    options.onSkip?.(where, why);
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!line.trim()) continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        bad(`${file}:${n}`, `not a JSON record (${excerpt(line)})`);
        continue;
      }
      if (!rec || typeof rec !== 'object' || typeof (rec as ProbeRecord).ip !== 'string' || typeof (rec as ProbeRecord).port !== 'number' || typeof (rec as ProbeRecord).service !== 'string') {
        bad(`${file}:${n}`, 'not a wildtls record (needs ip, port and service)');
        continue;
      }
      // A store keeps the port in a 32-bit integer column, and every analysis counts servers by
      // ip:port: a fractional or huge port is not one a scan or a capture can give.
      const port = (rec as ProbeRecord).port;
      if (!Number.isInteger(port) || Math.abs(port) > 0x7fffffff) {
        bad(`${file}:${n}`, `not a wildtls record (port ${port} is not a whole number a port can be)`);
        continue;
      }
      yield rec as ProbeRecord;
    }
  } catch (err) {
    if (err instanceof WildtlsError) throw err;
    // The stream itself broke (a gzip file cut off): in lenient mode the records read so far count.
    bad(`${file}`, `${(err as Error).message} after line ${n} (truncated or corrupt gzip?)`);
  }
}
