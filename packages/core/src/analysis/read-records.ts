import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Stream the records of a JSONL result file (gzip detected by its magic bytes;
 * "-" = stdin), one at a time: never the whole file in memory. A corrupt line
 * is an error naming the file and line.
 */
export async function* readRecords(file: string, stdin: Readable = process.stdin): AsyncGenerator<ProbeRecord> {
  let input: Readable;
  if (file === '-') input = stdin;
  else {
    try {
      input = (await isGzip(file)) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
    } catch (err) {
      throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `cannot read results ${file}: ${(err as Error).message}`);
    }
  }
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
        throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${file}:${n}: not a JSON record (${line.length > 60 ? line.slice(0, 60) + '…' : line})`);
      }
      if (!rec || typeof rec !== 'object' || typeof (rec as ProbeRecord).ip !== 'string' || typeof (rec as ProbeRecord).port !== 'number' || typeof (rec as ProbeRecord).service !== 'string') {
        throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${file}:${n}: not a wildtls record (needs ip, port and service)`);
      }
      yield rec as ProbeRecord;
    }
  } catch (err) {
    if (err instanceof WildtlsError) throw err;
    throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${file}: ${(err as Error).message} (truncated or corrupt gzip?)`, { cause: err });
  }
}
