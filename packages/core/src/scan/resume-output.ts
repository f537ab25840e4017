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
export function prepareOutput(config: WildtlsConfig, resume: Checkpoint | undefined): { file?: string; append: boolean } {
  const path = config.output.path;
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
