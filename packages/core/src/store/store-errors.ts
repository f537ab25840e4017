import { WildtlsError } from '../errors.js';

/** DuckDB's error on opening a file, as a WildtlsError naming the file and what is wrong with it. */
export function openError(path: string, err: unknown): WildtlsError {
  const message = (err as Error).message ?? String(err);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new WildtlsError('WILDTLS_ERR_RESULTS_LOCKED', `result store ${path} is in use by another process${pid ? ` (pid ${pid})` : ''}: wait for it to finish, or stop it`, { cause: err });
  }
  if (/No such file|does not exist|ENOENT/i.test(message)) return new WildtlsError('WILDTLS_ERR_RESULTS_NOT_FOUND', `result store not found: ${path}`, { cause: err });
  if (/not a valid DuckDB database|Invalid Input Error|corrupt|checksum|Serialization|IO Error|INTERNAL Error|version/i.test(message)) {
    return new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${path} is not a readable DuckDB result store (corrupt or truncated?): ${firstLine(message)}`, { cause: err });
  }
  return new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `cannot open the result store ${path}: ${firstLine(message)}`, { cause: err });
}

function firstLine(message: string): string {
  const line = message.split('\n')[0]!;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
