import { existsSync, statSync, truncateSync } from 'node:fs';
import type { WildtlsConfig } from '../config/core-schema.js';
import { WildtlsError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';

/**
 * The primary output's part in checkpoints. A checkpoint records the output
 * file's length; on resume everything after it (records of targets that will
 * be scanned again, a torn last line after kill -9) is cut off and the scan
 * appends. Needs a plain file: stdout cannot be cut, gzip cannot be cut mid-stream.
 */
export function prepareOutput(config: WildtlsConfig, resume: Pick<Checkpoint, 'output'> | undefined): { file?: string; append: boolean; store?: string; resumeAt?: number } {
  const path = config.output.path;
  if (isStorePath(path)) return prepareStore(path, resume);
  const gzip = config.output.gzip ?? path.endsWith('.gz');
  const file = path !== '-' && !gzip ? path : undefined;
  if (!resume) return { file, append: false };
  if (!file) throw new WildtlsError('WILDTLS_ERR_USAGE', '--resume needs the output to be a plain JSONL file (not stdout, not gzip): give the same --output as the interrupted scan');
  if (!resume.output || resume.output.path !== path) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `the checkpoint was written for output ${resume.output?.path ?? '(none)'}; resume with --output ${resume.output?.path ?? '<file>'}`);
  }
  const size = existsSync(file) ? statSync(file).size : -1;
  if (size < resume.output.bytes) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `${file} is shorter (${size < 0 ? 'missing' : `${size} bytes`}) than when the checkpoint was written (${resume.output.bytes} bytes); it cannot be resumed`);
  }
  truncateSync(file, resume.output.bytes);
  return { file, append: true };
}

/** A result store as the primary output: chosen by the extension .duckdb. */
export function isStorePath(path: string): boolean {
  return path.toLowerCase().endsWith('.duckdb');
}

/**
 * A store records its record count in checkpoints; a resume deletes the
 * records written after it (seq >= count) and continues. A new scan never
 * writes into an existing store (its records would mix with another scan's).
 */
function prepareStore(path: string, resume: Pick<Checkpoint, 'output'> | undefined): { store: string; append: boolean; resumeAt?: number } {
  if (!resume) {
    if (existsSync(path)) throw new WildtlsError('WILDTLS_ERR_USAGE', `the result store ${path} exists: remove it, give another --output, or --resume the scan that wrote it (wildtls import adds records to a store)`);
    return { store: path, append: false };
  }
  if (!resume.output || resume.output.path !== path || resume.output.records === undefined) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `the checkpoint was written for output ${resume.output?.path ?? '(none)'}; resume with --output ${resume.output?.path ?? '<file>'}`);
  }
  if (!existsSync(path)) throw new WildtlsError('WILDTLS_ERR_USAGE', `the result store ${path} is missing; the scan cannot be resumed`);
  return { store: path, append: true, resumeAt: resume.output.records };
}
