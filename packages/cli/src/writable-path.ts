import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WildtlsError } from '@wildtls/core';

/**
 * Check, before any work, that a file a flag names can be written: a usage
 * error naming the flag and the path, not a bare ENOENT after an hour of
 * analysis. Nothing is created or truncated here.
 */
export function assertWritable(path: string, flag: string): void {
  const full = resolve(path);
  const why = problem(full);
  if (why) throw new WildtlsError('WILDTLS_ERR_USAGE', `${flag} ${path}: cannot write it, ${why}`);
}

function problem(full: string): string | undefined {
  const dir = dirname(full);
  let info;
  try {
    info = statSync(dir);
  } catch {
    return `its folder ${dir} does not exist`;
  }
  if (!info.isDirectory()) return `${dir} is not a folder`;
  try {
    if (statSync(full).isDirectory()) return 'it is a folder';
    accessSync(full, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        accessSync(dir, constants.W_OK);
      } catch {
        return `no permission to create files in ${dir}`;
      }
      return undefined;
    }
    return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
  }
  return undefined;
}
