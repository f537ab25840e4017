import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The CLI's own Node version check, in place of oclif's. oclif checks Node
 * against its own `engines` when `@oclif/core` is imported, and loading semver
 * for that costs 35-45 ms of a one-target scan's start-up (docs/benchmarks.md,
 * s27-startup); bin/run.js turns it off and calls this instead, which checks
 * our `engines` (stricter than oclif's) with no dependency. Only the ">=X.Y[.Z]"
 * form is read: test/cli/node-version.test.ts fails if package.json says
 * anything else.
 */
export function parseMinimum(range: string): number[] | undefined {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** True when `version` ("20.12.1", as in process.versions.node) is at least `minimum`. */
export function satisfiesMinimum(version: string, minimum: readonly number[]): boolean {
  const v = version.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if ((v[i] ?? 0) !== minimum[i]) return (v[i] ?? 0) > minimum[i];
  }
  return true;
}

/** A warning when this Node is older than the package's `engines.node`, as oclif's check said it. */
export function nodeVersionWarning(cliDir: string, version = process.versions.node): string | undefined {
  let range: string | undefined;
  try {
    range = (JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
  } catch {
    return undefined;
  }
  const minimum = range === undefined ? undefined : parseMinimum(range);
  if (!minimum || satisfiesMinimum(version, minimum)) return undefined;
  return `Node version must be ${range} to use this CLI. Current node version: ${version}`;
}
