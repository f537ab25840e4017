import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { InjectionToken } from 'tsyringe';
import { WildtlsError } from '../errors.js';
import type { Exclusions } from './blocklist.js';
import type { DnsClient } from './dns/dns-client.js';

/**
 * What the kernel registers in a scan's container for target sources: the
 * blocklist, the cached DNS client and the input stream. Third-party
 * target-source plugins resolve them the same way the built-ins do.
 */
export const TARGET_TOKENS = {
  Exclusions: Symbol.for('wildtls.Exclusions') as InjectionToken<Exclusions>,
  Dns: Symbol.for('wildtls.Dns') as InjectionToken<DnsClient>,
  Stdin: Symbol.for('wildtls.Stdin') as InjectionToken<Readable>,
} as const;

export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

export function normalizeHost(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/**
 * Lines of a file ("-" = the given stdin), without comments and blanks;
 * `onLine` hears each yielded line's number. A file that cannot be opened is
 * a usage error naming it (not a bare ENOENT).
 */
export async function* readLines(input: string, stdin: Readable | undefined, onLine?: (lineNumber: number) => void): AsyncGenerator<string> {
  if (input !== '-') await openable(input);
  const stream = input === '-' ? stdin ?? process.stdin : createReadStream(input);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    const t = line.replace(/#.*/, '').trim();
    if (!t) continue;
    onLine?.(n);
    yield t;
  }
}

async function openable(path: string): Promise<void> {
  let isFolder = false;
  try {
    const handle = await open(path, 'r');
    isFolder = (await handle.stat()).isDirectory();
    await handle.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot read the target input ${path} (--input / scan.input): ${why}`);
  }
  if (isFolder) throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot read the target input ${path} (--input / scan.input): it is a folder`);
}

/** A short stable hash of what defines a stream's order (checked on resume). */
export function fingerprintOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
