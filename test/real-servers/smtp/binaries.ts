import { existsSync } from 'node:fs';

/**
 * A real-server test needs real daemons. A missing one fails the test with a
 * message saying what to install; it never passes or skips silently.
 */
export function requireBinary(path: string, install: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${install}`);
  return path;
}
